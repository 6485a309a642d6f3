// The answers of the proof routes (SPEC §3.8), as named OpenAPI components.
import { z } from 'zod';
import { named } from '../../common/openapi';

const size = z.number().int().nonnegative();
const hash = z.string().describe('base64url');

export const inclusionProofAnswer = named(
  'InclusionProof',
  z.object({ seq: size, size, leaf: hash.describe('The leaf hash'), root: hash, path: z.array(hash) }),
  'RFC 6962 inclusion proof',
);

export const consistencyProofAnswer = named('ConsistencyProof', z.object({ from: size, to: size, path: z.array(hash) }), 'RFC 6962 consistency proof');

export type InclusionProofAnswer = z.infer<typeof inclusionProofAnswer>;
export type ConsistencyProofAnswer = z.infer<typeof consistencyProofAnswer>;
