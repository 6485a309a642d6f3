// SPEC §3.3 (payload envelope), §3.6b (seen) and §4 (statement types): the
// shape of every statement payload. Objects are strict — an unknown member is
// refused, never ignored — so that what is signed is exactly what is read.
// Only shapes are checked here; governance rules (who may vote, parameter
// values, deadlines) belong to the feature modules.
import { z } from 'zod';
import { parseTimestamp } from './canonical-json';
import { BASE64URL_32_BYTES } from './keys';
import { CHOICES, OUTCOMES, PARAM_NAMES, type ParamName, type ProposalKind, REGIMES } from './vocabulary';
import { QUALIFIED_CIRCLE_ID } from './ids';

// ---------------------------------------------------------------- catalogue

/**
 * Every statement type, in catalogue order, with who signs it: a member (protected header
 * `typ: "archipel-statement"`), the instance (`typ: "archipel-system"`), or both: the instance
 * also opens ratification motions in a parent (§8).
 */
const SIGNED_BY = {
  'member.register': 'member',
  'circle.create': 'member',
  'child.created': 'instance',
  'member.invite': 'member',
  'member.accept': 'member',
  'member.leave': 'member',
  'proposal.open': 'both',
  'vote.cast': 'member',
  'vote.retract': 'member',
  'delegation.set': 'member',
  'delegation.revoke': 'member',
  'regime.position': 'member',
  'tally.result': 'instance',
  'child.decision': 'instance',
  'circle.split': 'instance',
  'circle.forked': 'instance',
  'regime.changed': 'instance',
  'member.key.add': 'member',
  'member.key.revoke': 'member',
  'member.recovery.set': 'member',
} as const satisfies Record<string, 'member' | 'instance' | 'both'>;

type SignedBy = typeof SIGNED_BY;
export type StatementType = keyof SignedBy;
export type MemberStatementType = { [T in StatementType]: SignedBy[T] extends 'member' | 'both' ? T : never }[StatementType];
export type SystemStatementType = { [T in StatementType]: SignedBy[T] extends 'instance' | 'both' ? T : never }[StatementType];

export const STATEMENT_TYPES = Object.keys(SIGNED_BY) as [StatementType, ...StatementType[]];
/** Types a member signs. */
export const MEMBER_TYPES = STATEMENT_TYPES.filter((t): t is MemberStatementType => SIGNED_BY[t] !== 'instance');
/** Types the instance signs. */
export const SYSTEM_TYPES = STATEMENT_TYPES.filter((t): t is SystemStatementType => SIGNED_BY[t] !== 'member');

export const STATEMENT_TYP = 'archipel-statement';
export const SYSTEM_TYP = 'archipel-system';
export type StatementTyp = typeof STATEMENT_TYP | typeof SYSTEM_TYP;
export type SignerKind = 'member' | 'system';

const MEMBER_TYPE_SET: ReadonlySet<string> = new Set(MEMBER_TYPES);
const SYSTEM_TYPE_SET: ReadonlySet<string> = new Set(SYSTEM_TYPES);
const STATEMENT_TYPE_SET: ReadonlySet<string> = new Set(STATEMENT_TYPES);

export function isStatementType(value: unknown): value is StatementType {
  return typeof value === 'string' && STATEMENT_TYPE_SET.has(value);
}

/** Whether a statement of `type` may be signed by this kind of signer. */
export function isSignableBy(type: StatementType, signer: SignerKind): boolean {
  return (signer === 'member' ? MEMBER_TYPE_SET : SYSTEM_TYPE_SET).has(type);
}

export function signerKindOfTyp(typ: StatementTyp): SignerKind {
  return typ === SYSTEM_TYP ? 'system' : 'member';
}

/** Genesis statements, registrations and key changes carry `"circle": null` (§3.4, §11). */
export const CIRCLE_LESS_TYPES = ['member.register', 'circle.create', 'circle.forked', 'member.key.add', 'member.key.revoke', 'member.recovery.set'] as const;
export type CircleLessType = (typeof CIRCLE_LESS_TYPES)[number];
const CIRCLE_LESS_SET: ReadonlySet<string> = new Set(CIRCLE_LESS_TYPES);

/** The statements of the instance registry log (§3.8, §11): a registration and the three key changes. */
export const REGISTRY_TYPES = ['member.register', 'member.key.add', 'member.key.revoke', 'member.recovery.set'] as const;
export type RegistryType = (typeof REGISTRY_TYPES)[number];
const REGISTRY_SET: ReadonlySet<string> = new Set(REGISTRY_TYPES);

export function isRegistryType(type: StatementType): type is RegistryType {
  return REGISTRY_SET.has(type);
}

/** SPEC §11: the only statements a recovery key may sign. */
export const RECOVERY_SIGNABLE_TYPES = ['member.key.add', 'member.key.revoke'] as const;
const RECOVERY_SET: ReadonlySet<string> = new Set(RECOVERY_SIGNABLE_TYPES);

export function isRecoverySignable(type: StatementType): boolean {
  return RECOVERY_SET.has(type);
}

export function hasNullCircle(type: StatementType): type is CircleLessType {
  return CIRCLE_LESS_SET.has(type);
}

// ---------------------------------------------------------------- limits

export const LIMITS = {
  name: 200,
  title: 300,
  text: 20_000,
  reason: 2_000,
  topic: 100,
  /** amendment `find` / `replace`: edits of the text, so bounded like it */
  edit: 20_000,
  /** signed-note text of a checkpoint inside a system statement */
  checkpoint: 16_384,
  paramName: 64,
  paramStringValue: 64,
  paramCount: 32,
  /** an RFC 6962 audit path never exceeds the tree height */
  proofLength: 64,
} as const;

// ---------------------------------------------------------------- primitives

/** Canonical upper-case ULID (Crockford base32, first char ≤ 7: no 128-bit overflow). */
export const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
/** Canonical base64url of 16 bytes (circle and proposal ids, §3.4 / §3.7). */
export const BASE64URL_16_BYTES = /^[A-Za-z0-9_-]{21}[AQgw]$/;
/** `YYYY-MM-DDTHH:MM:SS.sssZ` (§3.1). */
export const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export { CHOICES, OUTCOMES, PROPOSAL_KINDS, REGIMES } from './vocabulary';
export type { Choice, Outcome, ProposalKind, RegimeName as Regime } from './vocabulary';

function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * A string of `min`..`max` Unicode code points (not UTF-16 units). A
 * single-line string (names, titles, topics) may not contain control
 * characters, newlines included; no string contains U+0000, which PostgreSQL
 * cannot store in text (a proposal's text holding one was answered 500 by
 * the writer, found by the fuzz campaign).
 */
function text(min: number, max: number, singleLine: boolean) {
  // The metadata carries the same bounds into the published JSON Schema (whose string lengths
  // count code points too); the check itself is the refinement.
  const meta = { minLength: min, maxLength: max, description: singleLine ? 'One line: no control characters' : 'Text (newlines allowed; no U+0000)' };
  return z.string().superRefine((s, ctx) => {
    // cheap bounds first: code points ≤ UTF-16 units ≤ 2 × code points
    const n = s.length <= max && s.length >= 2 * min ? s.length : codePointLength(s);
    if (n < min) {
      ctx.addIssue({ code: 'custom', message: min === 1 ? 'must not be empty' : `must be at least ${min} characters` });
    } else if (n > max) {
      ctx.addIssue({ code: 'custom', message: `must be at most ${max} characters` });
    } else if (singleLine && CONTROL_CHARS.test(s)) {
      ctx.addIssue({ code: 'custom', message: 'must not contain control characters' });
    } else if (s.includes('\u0000')) {
      ctx.addIssue({ code: 'custom', message: 'must not contain U+0000' });
    }
  }).meta(meta);
}

const name = text(1, LIMITS.name, true);
const title = text(1, LIMITS.title, true);
const topic = text(1, LIMITS.topic, true);
const longText = text(0, LIMITS.text, false);
const reason = text(1, LIMITS.reason, false);

/** A string matching `pattern`, refused with `message`, described in the published JSON Schema. */
function patternString(pattern: RegExp, message: string, description: string) {
  return z.string().regex(pattern, message).meta({ description });
}

export const memberIdSchema = patternString(BASE64URL_32_BYTES, 'must be a member id (43-character base64url)', 'A member id: RFC 7638 thumbprint of her key (43 characters of base64url)');
export const publicJwkSchema = z
  .strictObject({
    crv: z.literal('Ed25519'),
    kty: z.literal('OKP'),
    x: z.string().regex(BASE64URL_32_BYTES, 'must be the 32-byte public key, 43 characters of base64url'),
  })
  .meta({ description: 'A public OKP Ed25519 JWK (never with "d")' });
export const keyIdSchema = patternString(BASE64URL_32_BYTES, 'must be a key id (43-character base64url thumbprint)', 'A key id: RFC 7638 thumbprint of a public key (43 characters of base64url)');
export const hashSchema = patternString(BASE64URL_32_BYTES, 'must be a SHA-256 hash (43-character base64url)', 'A SHA-256 hash (43 characters of base64url)');
export const circleIdSchema = patternString(BASE64URL_16_BYTES, 'must be a circle id (22-character base64url)', 'A circle id (22 characters of base64url)');
/** SPEC §12.2: `<instance name>/circles/<circle id>`, a circle on another instance. */
export const qualifiedCircleIdSchema = patternString(QUALIFIED_CIRCLE_ID, 'must be a qualified circle id (<instance name>/circles/<circle id>)', 'A circle on another instance: <instance name>/circles/<circle id> (SPEC §12.2)');
/** A circle of this instance by its id, or of another by its qualified id (SPEC §12.2). */
export const circleRefSchema = z
  .union([circleIdSchema, qualifiedCircleIdSchema])
  .meta({ description: 'A circle id (22 characters of base64url), or <instance name>/circles/<circle id> for a circle on another instance (SPEC §12.2)' });
export const proposalIdSchema = patternString(BASE64URL_16_BYTES, 'must be a proposal id (22-character base64url)', 'A proposal id (22 characters of base64url)');
export const ulidSchema = z.string().regex(ULID_PATTERN, 'must be a ULID in canonical upper-case form');
export const timestampSchema = z
  .string()
  .refine((s) => TIMESTAMP_PATTERN.test(s) && parseTimestamp(s) !== null, 'must be a timestamp of the form YYYY-MM-DDTHH:MM:SS.sssZ')
  .meta({ pattern: TIMESTAMP_PATTERN.source, description: 'A UTC timestamp YYYY-MM-DDTHH:MM:SS.sssZ' });
const count = z.number().int().nonnegative();
export const regimeSchema = z.enum(REGIMES);

/**
 * Parameters (SPEC §5.3, §6): an object of at most the seven names, each a JSON number (the exact
 * decimal written) or a string that is a decimal ("0.25") or a fraction ("1/3") of non-negative
 * integers. No other member, whatever its name (`__proto__` included: a strict object never copies
 * an unknown member, so no parsed value can reach a prototype). That each value is a ratio in
 * [0, 1] with a non-zero denominator is a rule (INVALID_PARAMS, src/core/governance/params.ts).
 */
const paramValueSchema = z.union([
  z.number().refine((n) => Number.isFinite(n) && n >= 0, 'must be a non-negative number'),
  z
    .string()
    .max(LIMITS.paramStringValue)
    .regex(/^(?:\d+\/\d+|\d+(?:\.\d+)?)$/, 'must be a decimal such as "0.25" or a fraction such as "1/3"'),
]);

export const paramsSchema = z.strictObject(
  Object.fromEntries(PARAM_NAMES.map((name) => [name, z.optional(paramValueSchema)])) as { [K in ParamName]: z.ZodOptional<typeof paramValueSchema> },
);

/** `params` of a `tally.result`: the full frozen object, all seven names (§5.3). */
export const frozenParamsSchema = z.strictObject(
  Object.fromEntries(PARAM_NAMES.map((name) => [name, paramValueSchema])) as { [K in ParamName]: typeof paramValueSchema },
);

export const seenSchema = z.strictObject({ size: count, root: hashSchema });

// ---------------------------------------------------------------- bodies (§4)

export const delegationScopeSchema = z.union([
  z.strictObject({ circle: z.literal(true) }),
  z.strictObject({ topic }),
  z.strictObject({ proposal: proposalIdSchema }),
]);

const proposalCommon = {
  title,
  text: longText,
  /** absent or null: no topic */
  topic: z.optional(z.union([topic, z.null()])),
  closesAt: timestampSchema,
  doer: z.optional(memberIdSchema),
};

const motionBody = z
  .strictObject({
    kind: z.literal('motion'),
    ...proposalCommon,
    ratify: z.optional(z.boolean()),
    /** only in a ratification motion the instance opens in a parent (§8) */
    ratifies: z.optional(z.strictObject({ circle: circleRefSchema, proposal: proposalIdSchema })),
  })
  .superRefine((b, ctx) => {
    if (b.ratify !== undefined && b.ratifies !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['ratify'], message: 'ratify and ratifies exclude each other' });
    }
  });

const proposalOpenBody = z.discriminatedUnion('kind', [
  motionBody,
  z.strictObject({
    kind: z.literal('amendment'),
    ...proposalCommon,
    target: proposalIdSchema,
    find: text(1, LIMITS.edit, false),
    replace: text(0, LIMITS.edit, false),
  }),
  z.strictObject({ kind: z.literal('regime'), ...proposalCommon, regime: regimeSchema, params: paramsSchema }),
  z.strictObject({ kind: z.literal('membership'), ...proposalCommon, member: memberIdSchema }),
  z.strictObject({ kind: z.literal('split'), ...proposalCommon, name }),
]);

const totalsSchema = z.strictObject({ E: count, Y: count, N: count, A: count, O: count });

export const BODY_SCHEMAS = {
  /** `recovery`: the public key she keeps offline (SPEC §11) */
  'member.register': z.strictObject({ name, recovery: z.optional(publicJwkSchema) }),
  'member.key.add': z.strictObject({ member: memberIdSchema, jwk: publicJwkSchema }),
  'member.key.revoke': z.strictObject({ member: memberIdSchema, key: keyIdSchema }),
  'member.recovery.set': z.strictObject({ member: memberIdSchema, jwk: publicJwkSchema }),
  'circle.create': z.strictObject({
    name,
    /** absent for a root circle; a qualified id for a parent on another instance (§12.2) */
    parent: z.optional(circleRefSchema),
    regime: regimeSchema,
    params: z.optional(paramsSchema),
  }),
  'child.created': z.strictObject({ child: circleRefSchema, genesis: z.strictObject({ leaf: hashSchema }) }),
  'member.invite': z.strictObject({ member: memberIdSchema }),
  'member.accept': z.strictObject({}),
  'member.leave': z.strictObject({}),
  'proposal.open': proposalOpenBody,
  'vote.cast': z.strictObject({ proposal: proposalIdSchema, choice: z.enum(CHOICES), reason: z.optional(reason) }),
  'vote.retract': z.strictObject({ proposal: proposalIdSchema }),
  'delegation.set': z.strictObject({ to: memberIdSchema, scope: delegationScopeSchema }),
  'delegation.revoke': z.strictObject({ scope: delegationScopeSchema }),
  'regime.position': z.strictObject({ position: regimeSchema }),
  'tally.result': z.strictObject({
    proposal: proposalIdSchema,
    regime: regimeSchema,
    params: frozenParamsSchema,
    outcome: z.enum(OUTCOMES),
    totals: totalsSchema,
    lost: z.strictObject({ weight: count, cycles: z.array(z.array(memberIdSchema).min(1)) }),
    absent: count,
    /** amendments adopted but no longer applicable (§5.3) */
    void: z.optional(z.array(proposalIdSchema)),
  }),
  'child.decision': z.strictObject({
    /** where the decision was taken: a qualified id when on another instance (§12.2) */
    child: circleRefSchema,
    proposal: proposalIdSchema,
    outcome: z.enum(OUTCOMES),
    entry: z.strictObject({ seq: count, leaf: hashSchema }),
    checkpoint: z.string().min(1).max(LIMITS.checkpoint),
    proof: z.array(hashSchema).max(LIMITS.proofLength),
  }),
  'circle.split': z.strictObject({
    newCircle: circleIdSchema,
    members: z.array(memberIdSchema).min(1),
    cause: proposalIdSchema,
  }),
  'circle.forked': z.strictObject({
    from: circleIdSchema,
    atSeq: count,
    atLeaf: hashSchema,
    checkpoint: z.string().min(1).max(LIMITS.checkpoint),
    name,
    /** the original's parent: null when a root circle forks */
    parent: z.union([circleRefSchema, z.null()]),
    regime: regimeSchema,
    params: paramsSchema,
    members: z.array(memberIdSchema).min(1),
    /** leaf hashes, in the original log, of the delegations carried over */
    delegations: z.array(hashSchema),
    cause: proposalIdSchema,
  }),
  'regime.changed': z.strictObject({
    from: regimeSchema,
    to: regimeSchema,
    weights: z.strictObject({ unanimity: count, 'do-ocracy': count, amendment: count, split: count }),
    cast: count,
    E: count,
  }),
} as const satisfies Record<StatementType, z.ZodType>;

// ---------------------------------------------------------------- payload types

export type BodyOf<T extends StatementType> = z.infer<(typeof BODY_SCHEMAS)[T]>;
export type ProposalOpenBody = BodyOf<'proposal.open'>;
export type ProposalBodyOf<K extends ProposalKind> = Extract<ProposalOpenBody, { kind: K }>;
export type DelegationScope = z.infer<typeof delegationScopeSchema>;
export type Params = z.infer<typeof paramsSchema>;
export type Seen = z.infer<typeof seenSchema>;

export type CircleOf<T extends StatementType> = T extends CircleLessType ? null : string;

export type PayloadOf<T extends StatementType> = {
  v: 1;
  type: T;
  id: string;
  circle: CircleOf<T>;
  at: string;
  body: BodyOf<T>;
  seen?: Seen;
};

/** Discriminated (on `type`) union of every statement payload. */
export type StatementPayload = { [T in StatementType]: PayloadOf<T> }[StatementType];

// ---------------------------------------------------------------- validation

const envelopeSchema = z.strictObject({
  v: z.literal(1),
  type: z.enum(STATEMENT_TYPES),
  id: ulidSchema,
  circle: z.union([circleIdSchema, z.null()]),
  at: timestampSchema,
  body: z.unknown(),
  seen: z.optional(seenSchema),
});

export type PayloadValidation =
  | { ok: true; payload: StatementPayload }
  | { ok: false; field: string; message: string };

function firstIssue(error: z.ZodError, prefix: string): { field: string; message: string } {
  const issue = error.issues[0];
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') path.push(issue.keys[0]);
  const field = [prefix, ...path].filter((p) => p !== '').join('.');
  const message = issue.code === 'unrecognized_keys' ? 'unknown member' : issue.message;
  return { field: field === '' ? 'payload' : field, message };
}

/**
 * Validate a parsed payload against the envelope and its type's body schema.
 * `field` in a failure is a dotted path from the payload root (`body.choice`).
 * With `signer`, also check the signer-dependent variants: only the instance
 * opens ratification motions (`ratifies`, kind motion, topic null), and it
 * never uses `ratify`. (Whether the type may be signed by that signer at all
 * is a header question, answered by `isSignableBy`.)
 */
export function validatePayload(value: unknown, signer?: SignerKind): PayloadValidation {
  const envelope = envelopeSchema.safeParse(value);
  if (!envelope.success) return { ok: false, ...firstIssue(envelope.error, '') };
  const { type, circle, seen } = envelope.data;

  if (hasNullCircle(type)) {
    if (circle !== null) return { ok: false, field: 'circle', message: `must be null for ${type}` };
    if (seen !== undefined) return { ok: false, field: 'seen', message: 'a statement outside any circle has no log to have seen' };
  } else if (circle === null) {
    return { ok: false, field: 'circle', message: `must be a circle id for ${type}` };
  }

  const body = BODY_SCHEMAS[type].safeParse(envelope.data.body);
  if (!body.success) return { ok: false, ...firstIssue(body.error, 'body') };

  if (type === 'proposal.open' && signer !== undefined) {
    const b = body.data as ProposalOpenBody;
    if (signer === 'member' && b.kind === 'motion' && b.ratifies !== undefined) {
      return { ok: false, field: 'body.ratifies', message: 'only the instance opens ratification motions' };
    }
    // SPEC §4: a member's topic is an optional string; only the instance's ratification motions carry null (§8).
    if (signer === 'member' && b.topic === null) {
      return { ok: false, field: 'body.topic', message: 'must be a string: leave topic out for a proposal without one' };
    }
    if (signer === 'system') {
      if (b.kind !== 'motion') return { ok: false, field: 'body.kind', message: 'the instance only opens ratification motions' };
      if (b.ratifies === undefined) return { ok: false, field: 'body.ratifies', message: 'required in a system-opened proposal' };
      if (b.topic !== null) return { ok: false, field: 'body.topic', message: 'must be null in a ratification motion' };
      if (b.doer !== undefined) return { ok: false, field: 'body.doer', message: 'not allowed in a ratification motion' };
    }
  }

  // Rebuild from the validated parts without re-ordering the caller's objects.
  return { ok: true, payload: { ...envelope.data, body: body.data } as StatementPayload };
}
