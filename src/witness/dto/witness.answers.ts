// The answers of the witness routes (SPEC §12.1), as named OpenAPI components.
import { z } from 'zod';
import { named } from '../../common/openapi';

export const witnessAnswer = named(
  'Witness',
  z.object({
    name: z.string().describe('The key name of its cosignatures'),
    key: z.string().describe('cosignature/v1 verifier key: name+hex(keyid)+base64(0x04 ‖ Ed25519 key)'),
    origins: z.array(z.string()).describe('The logs it witnesses'),
  }),
);

export const evidenceAnswer = named(
  'WitnessEvidence',
  z.object({
    items: z.array(
      z.object({
        id: z.number().int(),
        origin: z.string(),
        kind: z.string().describe('SAME_SIZE_OTHER_ROOT or INCONSISTENT_PROOF'),
        knownSize: z.number().int().describe('The size this witness had cosigned'),
        knownRoot: z.string().describe('base64'),
        size: z.number().int().describe('The size of the checkpoint shown'),
        root: z.string().describe('base64'),
        request: z.string().describe('The whole add-checkpoint body, with the log\'s signed checkpoint'),
        recordedAt: z.string(),
      }),
    ),
  }),
);

export type WitnessAnswer = z.infer<typeof witnessAnswer>;
export type EvidenceAnswer = z.infer<typeof evidenceAnswer>;
