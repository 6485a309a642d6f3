// The words of governance, defined once (SPEC §4, §5.3, §6): every schema, rule, tally, route and
// page takes them from here.

/** In cursor order, from most to least agreement (§6). */
export const REGIMES = ['unanimity', 'do-ocracy', 'amendment', 'split'] as const;
export type RegimeName = (typeof REGIMES)[number];

export function isRegimeName(value: unknown): value is RegimeName {
  return typeof value === 'string' && (REGIMES as readonly string[]).includes(value);
}

export const PROPOSAL_KINDS = ['motion', 'amendment', 'regime', 'membership', 'split'] as const;
export type ProposalKind = (typeof PROPOSAL_KINDS)[number];

/** Every choice any regime or kind allows; which ones apply depends on the proposal (§5.3, §5.4). */
export const CHOICES = ['yes', 'no', 'abstain', 'support', 'object', 'leave', 'stay'] as const;
export type Choice = (typeof CHOICES)[number];

export const OUTCOMES = ['adopted', 'rejected', 'forked'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The three scopes of a delegation (§4): `{"circle":true}`, `{"topic":t}`, `{"proposal":p}`. */
export const SCOPE_KINDS = ['circle', 'topic', 'proposal'] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];

/** A parameter value as written: a JSON number or a string "a/b" / "0.25" (§5.3). */
export type ParamValue = number | string;

/** The seven parameters of §5.3 and §6, each with its default. */
export const DEFAULT_PARAMS = Object.freeze({
  unanimityQuorum: 1,
  objectionShare: 0.1,
  majorityQuorum: 0.2,
  amendmentQuorum: 0.1,
  amendingShare: '1/2',
  splitShare: '1/3',
  cursorQuorum: '1/2',
} as const);

export type ParamName = keyof typeof DEFAULT_PARAMS;
/** A full set of parameters (as frozen into a proposal). A type, not an interface: it is indexable. */
export type Params = { [K in ParamName]: ParamValue };

export const PARAM_NAMES: readonly ParamName[] = Object.freeze(Object.keys(DEFAULT_PARAMS) as ParamName[]);

export function isParamName(value: unknown): value is ParamName {
  return typeof value === 'string' && (PARAM_NAMES as readonly string[]).includes(value);
}
