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
        kind: z
          .string()
          .describe(
            'SAME_SIZE_OTHER_ROOT or OTHER_ROOT_AT_OLD_SIZE (a consistency proof leading to the checkpoint shown from another root at the cosigned size); ' +
              'INCONSISTENT_PROOF in rows kept by earlier versions, for any proof that did not verify (not a proof of a fork)',
          ),
        knownSize: z.number().int().describe('The size this witness had cosigned'),
        knownRoot: z.string().describe('base64'),
        knownNote: z.string().nullable().describe('The checkpoint this witness had cosigned, as the log signed it (null in rows of earlier versions)'),
        size: z.number().int().describe('The size of the checkpoint shown'),
        root: z.string().describe('base64'),
        note: z.string().nullable().describe('The checkpoint shown, with the signature lines of the log\'s keys only (null in rows of earlier versions)'),
        request: z.string().describe('The whole add-checkpoint body, with the log\'s signed checkpoint'),
        recordedAt: z.string(),
      }),
    ),
  }),
);

export type WitnessAnswer = z.infer<typeof witnessAnswer>;
export type EvidenceAnswer = z.infer<typeof evidenceAnswer>;
