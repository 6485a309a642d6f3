import { z } from 'zod';
import { named } from '../../common/openapi';

const jwk = z.object({ kty: z.string(), crv: z.string(), x: z.string() });
const timestamp = z.string().describe('recordedAt of the registry entry');

export const memberKeySchema = z.object({
  kid: z.string().describe('RFC 7638 thumbprint of the key'),
  jwk,
  addedAt: timestamp,
  revokedAt: timestamp.optional(),
});

export const keyAnswer = named('Key', z.object({ kid: z.string(), member: z.string().describe('The member the key signs for') }));

export type MemberKeyAnswer = z.infer<typeof memberKeySchema>;
export type KeyAnswer = z.infer<typeof keyAnswer>;
