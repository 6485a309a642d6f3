// The answer of /.well-known/archipel.json (SPEC §3.8), as a named OpenAPI component.
import { z } from 'zod';
import { named } from '../../common/openapi';

export const instanceAnswer = named(
  'Instance',
  z.object({
    name: z.string().describe('The instance name: the origin prefix of checkpoints'),
    version: z.string(),
    kid: z.string().describe("RFC 7638 thumbprint of the instance's public key"),
    jwk: z.object({ kty: z.string(), crv: z.string(), x: z.string() }),
    noteKey: z.string().describe('Signed-note verifier key'),
  }),
);

export type InstanceAnswer = z.infer<typeof instanceAnswer>;
