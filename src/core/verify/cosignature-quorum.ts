// SPEC §12.1: a verifier given witness keys and a quorum accepts a checkpoint only with that many
// valid cosignatures (each witness counted once, whatever lines it has in the note).
import { cosigners, parseWitnessKey, WitnessKey } from '../formats/cosignature';

export class QuorumFailure extends Error {
  constructor(
    readonly code: 'BAD_WITNESS_KEY' | 'QUORUM_NOT_MET',
    readonly reason: string,
  ) {
    super(reason);
  }
}

export function parseWitnessKeys(vkeys: readonly string[]): WitnessKey[] {
  return vkeys.map((vkey) => {
    try {
      return parseWitnessKey(vkey);
    } catch (e) {
      throw new QuorumFailure('BAD_WITNESS_KEY', `${(e as Error).message}: ${vkey}`);
    }
  });
}

/** The names of the witnesses that cosigned `note`; throws QuorumFailure when fewer than `quorum`. */
export function checkCosignatureQuorum(note: string, keys: readonly WitnessKey[], quorum: number, now?: number): string[] {
  let names: string[];
  try {
    names = cosigners(note, keys, now);
  } catch (e) {
    throw new QuorumFailure('QUORUM_NOT_MET', `the checkpoint cannot be read: ${(e as Error).message}`);
  }
  if (names.length < quorum) {
    throw new QuorumFailure(
      'QUORUM_NOT_MET',
      `${names.length} of the ${keys.length} given witnesses cosigned this checkpoint (${names.join(', ') || 'none'}), ${quorum} needed`,
    );
  }
  return names;
}
