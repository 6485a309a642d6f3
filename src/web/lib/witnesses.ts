// Whether a circle's latest checkpoint is cosigned by witnesses (SPEC §12.1): the service's
// `?cosigned=1` note, read by the core (src/core/verify/witnessing.ts), as `archipel circle show` does.
import { instanceFromNoteKey, originOf } from '../../core/verify/checkpoint-checks';
import { readWitnessing, type Witnessing } from '../../core/verify/witnessing';
import { ApiError, type Api } from './api';

export type { Cosigner, Witnessing } from '../../core/verify/witnessing';

/** The circle's witnessing, from the service: NO_COSIGNED_CHECKPOINT is `none`, any other refusal is thrown. */
export async function loadWitnessing(api: Api, circle: string): Promise<Witnessing> {
  const wk = await api.wellKnown();
  const instance = instanceFromNoteKey(wk.noteKey);
  let note: string;
  try {
    note = await api.cosignedCheckpoint(circle);
  } catch (e) {
    if (e instanceof ApiError && e.code === 'NO_COSIGNED_CHECKPOINT') return { state: 'none' };
    throw e;
  }
  return readWitnessing(note, wk.noteKey, originOf(instance.name, circle));
}
