// The app's one door to the service: the documented HTTP API (docs/api.md), typed. Every refusal
// becomes an ApiError carrying the API's stable code, which the pages translate (locales/*.ts).
import type { DomainErrorCode } from '../../core/rules/domain-error';
import type { Params, RegimeName } from '../../core/formats/vocabulary';
import type { TallyResultBody } from '../../core/governance/tally';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: DomainErrorCode | 'NETWORK',
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface CircleSummary {
  id: string;
  name: string;
  parent: string | null;
  regime: RegimeName;
  size: number;
  children?: string[];
  forkedFrom?: string | null;
}

export interface Circle {
  id: string;
  name: string;
  parent: string | null;
  children: string[];
  members: string[];
  regime: RegimeName;
  params: Partial<Params>;
  size: number;
  forkedFrom?: { circle: string; atSeq: number } | null;
}

export interface Provisional {
  E: number;
  Y: number;
  N: number;
  A: number;
  O: number;
  lost: number;
  absent: number;
}

export type ProposalStatus = 'amending' | 'open' | 'closed';

export interface Proposal {
  id: string;
  circle: string;
  kind: 'motion' | 'amendment' | 'regime' | 'membership' | 'split';
  title: string;
  text: string;
  originalText?: string;
  amendments?: { id: string; find: string; replace: string; status: 'open' | 'applied' | 'void' | 'rejected' }[];
  topic: string | null;
  regime: RegimeName;
  params: Params;
  status: ProposalStatus;
  closesAt: string;
  amendmentsCloseAt?: string;
  openedBy: string;
  openedSeq: number;
  proposed?: Record<string, unknown>;
  provisional?: Provisional;
  result?: TallyResultBody & { void?: string[] };
}

export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
}

/** One of her keys over time (SPEC §11): every key that ever signed for her, in the order added. */
export interface MemberKey {
  kid: string;
  jwk: PublicJwk;
  addedAt: string;
  revokedAt?: string;
}

export interface Member {
  id: string;
  name: string;
  /** the registration key: her member id is its thumbprint */
  jwk: PublicJwk;
  keys?: MemberKey[];
  /** her recovery key in force, if she has one */
  recovery?: PublicJwk;
}

export interface Invitation {
  circle: string;
  circleName: string;
  invitedBy: string;
  seq: number;
  recordedAt: string;
}

export interface Receipt {
  ancestor: string;
  seq: number;
  leaf: string;
  recordedAt: string;
}

export interface WeightCast {
  member: string;
  cast: 'direct' | 'delegated' | 'lost' | 'absent';
  choice?: string;
  chain: string[];
  cycle?: string[];
}

export interface DelegationRow {
  member: string;
  scope: { kind: 'circle' | 'topic' | 'proposal'; value: string };
  delegate: string;
  since: string;
}

export interface CircleDelegations {
  circle: string;
  delegations: DelegationRow[];
  proposal?: {
    id: string;
    E: number;
    effective: { member: string; delegate: string }[];
    weights: { member: string; weight: number }[];
    lost: number;
    absent: number;
    cycles: string[][];
  };
}

export interface MemberDelegations {
  member: string;
  outgoing: { circle: string; scope: { kind: string; value: string }; delegate: string; since: string }[];
  incoming: { circle: string; member: string; scope: { kind: string; value: string }; since: string }[];
}

export interface Fork {
  circle: string;
  name: string;
  proposal: string;
  atSeq: number;
  members: string[];
}

export interface WellKnown {
  name: string;
  version: string;
  kid: string;
  jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string };
  noteKey: string;
}

export interface Appended {
  circle: string;
  seq: number;
  leaf: string;
  id?: string;
}

type Fetch = typeof fetch;

export class Api {
  constructor(
    private readonly base = '',
    private readonly fetchImpl: Fetch = (...args) => fetch(...args),
  ) {}

  private async request(path: string, init?: RequestInit): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetchImpl(this.base + path, init);
    } catch (e) {
      throw new ApiError(0, 'NETWORK', e instanceof Error ? e.message : String(e));
    }
    if (!res.ok) {
      let body: { code?: string; message?: string; field?: string } = {};
      try {
        body = await res.json();
      } catch {
        // not JSON: keep the status
      }
      throw new ApiError(res.status, (body.code ?? (res.status >= 500 ? 'INTERNAL' : 'INVALID_REQUEST')) as DomainErrorCode, body.message ?? res.statusText, body.field);
    }
    return res;
  }

  /** GETs started ahead of the component that needs them (`prefetch`), by path: taken once. */
  private readonly prefetched = new Map<string, Promise<unknown>>();

  async json<T>(path: string): Promise<T> {
    const early = this.prefetched.get(path);
    if (early) {
      this.prefetched.delete(path);
      return early as Promise<T>;
    }
    return (await this.request(path)).json() as Promise<T>;
  }

  /**
   * Start a GET that a component about to render will make: the next `json` of the same path takes
   * its answer instead of asking again (dropped unused after a while).
   */
  prefetch(path: string): void {
    if (this.prefetched.has(path)) return;
    const early = this.request(path).then((r) => r.json() as Promise<unknown>);
    early.catch(() => undefined);
    this.prefetched.set(path, early);
    setTimeout(() => this.prefetched.get(path) === early && this.prefetched.delete(path), 10_000);
  }

  async text(path: string): Promise<string> {
    return (await this.request(path)).text();
  }

  /** A log's lines as they arrive, batch by batch: the body is streamed, never held whole. */
  async *lines(path: string): AsyncGenerator<string[]> {
    const res = await this.request(path);
    if (!res.body) {
      yield splitLines(await res.text());
      return;
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let rest = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const chunk = rest + value;
      const cut = chunk.lastIndexOf('\n');
      if (cut < 0) {
        rest = chunk;
        continue;
      }
      rest = chunk.slice(cut + 1);
      yield chunk.slice(0, cut).split('\n');
    }
    if (rest !== '') yield [rest];
  }

  /** POST a signed statement (its compact JWS: the only thing a member ever sends). */
  async submit(jws: string): Promise<Appended> {
    const res = await this.request('/api/v1/statements', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jws }),
    });
    return res.json() as Promise<Appended>;
  }

  wellKnown = () => this.json<WellKnown>('/.well-known/archipel.json');
  member = (id: string) => this.json<Member>(`/api/v1/members/${enc(id)}`);
  /** Whose key this is (any key ever active, or a recovery key); UNKNOWN_KEY for no one's. */
  key = (kid: string) => this.json<{ kid: string; member: string }>(`/api/v1/keys/${enc(kid)}`);
  memberCircles = (id: string) => this.json<{ items: CircleSummary[] }>(`/api/v1/members/${enc(id)}/circles`);
  invitations = (id: string) => this.json<{ items: Invitation[] }>(`/api/v1/members/${enc(id)}/invitations`);
  memberDelegations = (id: string) => this.json<MemberDelegations>(`/api/v1/members/${enc(id)}/delegations`);
  circles = (parent?: string) => this.json<{ items: CircleSummary[] }>(`/api/v1/circles${parent ? `?parent=${enc(parent)}` : ''}`);
  circle = (id: string) => this.json<Circle>(`/api/v1/circles/${enc(id)}`);
  forks = (id: string) => this.json<{ items: Fork[] }>(`/api/v1/circles/${enc(id)}/forks`);
  proposals = (circle: string, q: { status?: ProposalStatus; kind?: string; limit?: number; after?: string } = {}) =>
    this.json<{ items: Proposal[]; next: string | null }>(`/api/v1/circles/${enc(circle)}/proposals${query(q)}`);
  proposal = (id: string) => this.json<Proposal>(`/api/v1/proposals/${enc(id)}`);
  receipts = (id: string) => this.json<{ items: Receipt[] }>(`/api/v1/proposals/${enc(id)}/receipts`);
  weight = (proposal: string, member: string) => this.json<WeightCast>(`/api/v1/proposals/${enc(proposal)}/weights/${enc(member)}`);
  delegationsPath = (circle: string, proposal?: string) => `/api/v1/circles/${enc(circle)}/delegations${query({ proposal })}`;
  delegations = (circle: string, proposal?: string) => this.json<CircleDelegations>(this.delegationsPath(circle, proposal));
  log = (circle: string) => this.text(`/api/v1/circles/${enc(circle)}/log`);
  logLines = (circle: string) => this.lines(`/api/v1/circles/${enc(circle)}/log`);
  registryLogLines = () => this.lines('/api/v1/registry/log');
  checkpoint = (circle: string) => this.text(`/api/v1/circles/${enc(circle)}/checkpoint`);
  /** RFC 6962 consistency proof between two sizes of the circle's log (SPEC §3.8). */
  consistency = (circle: string, from: number, to: number) =>
    this.json<{ from: number; to: number; path: string[] }>(`/api/v1/circles/${enc(circle)}/proof/consistency${query({ from, to })}`);
  /** The newest checkpoint meeting the witness policy, cosignatures included (NO_COSIGNED_CHECKPOINT when none). */
  cosignedCheckpoint = (circle: string) => this.text(`/api/v1/circles/${enc(circle)}/checkpoint?cosigned=1`);
  registryCheckpoint = () => this.text('/api/v1/registry/checkpoint');
  /** The instances this one federates with (SPEC §12.2): their names and base URLs. */
  peers = () => this.json<{ items: Array<{ name: string; url: string }> }>('/api/v1/federation/peers');
  /** The circle's event stream; `after` (a seq) sends the entries after it first. */
  eventsUrl = (circle: string, after?: number) => `${this.base}/api/v1/circles/${enc(circle)}/events${query({ after })}`;
}

const enc = encodeURIComponent;

/** A text's lines, without the empty one after its final newline. */
export function splitLines(text: string): string[] {
  const out = text.split('\n');
  if (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

export function query(q: Record<string, string | number | undefined>): string {
  const parts = Object.entries(q)
    .filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => `${enc(k)}=${enc(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

export const api = new Api();
