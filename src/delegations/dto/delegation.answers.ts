// The answers of the delegation routes (docs/api.md), as named OpenAPI components.
import { z } from 'zod';
import { named } from '../../common/openapi';

const scope = z.object({ kind: z.enum(['circle', 'topic', 'proposal']), value: z.string() }).describe('`value` is "" for the circle scope');

export const circleDelegationsAnswer = named(
  'CircleDelegations',
  z.object({
    circle: z.string(),
    delegations: z.array(z.object({ member: z.string(), scope, delegate: z.string(), since: z.string() })),
    proposal: z
      .object({
        id: z.string(),
        E: z.number().int(),
        effective: z.array(z.object({ member: z.string(), delegate: z.string() })),
        weights: z.array(z.object({ member: z.string(), weight: z.number().int() })),
        lost: z.number().int(),
        absent: z.number().int(),
        cycles: z.array(z.array(z.string())),
      })
      .optional()
      .describe('With `proposal`: who counts for whom on it (SPEC §5.2)'),
  }),
);

export const memberDelegationsAnswer = named(
  'MemberDelegations',
  z.object({
    member: z.string(),
    outgoing: z.array(z.object({ circle: z.string(), scope, delegate: z.string(), since: z.string() })),
    incoming: z.array(z.object({ circle: z.string(), member: z.string(), scope, since: z.string() })),
  }),
);

export type CircleDelegationsAnswer = z.infer<typeof circleDelegationsAnswer>;
export type MemberDelegationsAnswer = z.infer<typeof memberDelegationsAnswer>;
