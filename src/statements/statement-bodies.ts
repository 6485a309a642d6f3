// The body of every statement type (SPEC §4), published as JSON Schema in the OpenAPI document's
// components: generated from the very zod schemas the server validates statements with
// (identity/domain/statement-types.ts), so the two cannot drift. docs/statements.md shows them
// with one signed example each (scripts/statement-examples.ts).
import { z } from 'zod';
import { named } from '../common/openapi';
import {
  BODY_SCHEMAS,
  circleIdSchema,
  seenSchema,
  STATEMENT_TYPES,
  StatementType,
  timestampSchema,
  ulidSchema,
} from '../core/formats/statement-types';

/** `vote.cast` → `VoteCastBody`: the component name of a statement type's body. */
export function bodyComponentName(type: StatementType): string {
  return `${type
    .split(/[.-]/)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('')}Body`;
}

for (const type of STATEMENT_TYPES) named(bodyComponentName(type), BODY_SCHEMAS[type], `The body of a \`${type}\` statement (SPEC §4)`);

/** The payload a statement's JWS signs (SPEC §3.3), its body one of the bodies above by `type`. */
export const statementPayloadSchema = named(
  'StatementPayload',
  z.object({
    v: z.literal(1),
    type: z.enum(STATEMENT_TYPES),
    id: ulidSchema.describe('A ULID, unique per signer'),
    circle: circleIdSchema.nullable().describe('null for member.register, circle.create and circle.forked'),
    at: timestampSchema,
    body: z.union(STATEMENT_TYPES.map((t) => BODY_SCHEMAS[t]) as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]).describe('The body schema of `type`'),
    seen: seenSchema.optional(),
  }),
  'The payload of a statement (SPEC §3.3): the JCS bytes of this object are the JWS payload',
);
