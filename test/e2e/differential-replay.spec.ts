// The replay is the reference (SPEC §5, §7): random circle histories — joins and leaves, delegations
// in every scope with chains and cycles, votes and retractions around closesAt, amendments, regime
// and membership proposals, explicit splits and split-regime forks, regime positions — are appended
// through the real service over HTTP (PostgreSQL, Redis, the worker), and every `tally.result`
// the server wrote through its SQL loaders must equal, figure by figure, what the log replay
// (core/verify/replay.ts, the code `archipel verify` runs) recomputes from the log alone; so must
// every fork: the members of `circle.split` and of the new circle's genesis, and the delegations
// it carries over.
//
// Time: proposals close 1.5–3.5 s after they open (MIN_PROPOSAL_WINDOW_SECONDS=1), several per
// circle, so one history takes a few seconds. `DIFFERENTIAL_RUNS` sets how many histories (default
// 6), `DIFFERENTIAL_SEED` replays one seed (docs/testing.md).
import fc from 'fast-check';
import { parseCompact } from '../../src/core/formats/statement';
import { StatementSigner } from '../../src/core/formats/statement-signer';
import type { BodyOf, StatementType } from '../../src/core/formats/statement-types';
import { formatTimestamp } from '../../src/core/formats/canonical-json';
import { decodeEntryLine } from '../../src/core/formats/entry';
import { derivedId } from '../../src/core/formats/ids';
import { choicesFor, type ProposalKind } from '../../src/core/governance/tally';
import type { RegimeName } from '../../src/core/governance/params';
import { compareIds } from '../../src/core/governance/resolve';
import type { CarriedDelegation, MemberState } from '../../src/core/rules/state';
import { LogReplay, ReplayFailure, type ReplayEntry } from '../../src/core/verify/replay';
import { eventually, startTestApp, TestApp } from '../support/app';
import { ApiClient } from '../support/client';

const RUNS = Number(process.env.DIFFERENTIAL_RUNS ?? 6);
const SEED = process.env.DIFFERENTIAL_SEED === undefined ? undefined : Number(process.env.DIFFERENTIAL_SEED);
const POOL = 7;
const REGIMES: RegimeName[] = ['unanimity', 'do-ocracy', 'amendment', 'split'];
const TOPICS = ['roads', 'budget'];
/** The words of every motion's text that occur in it exactly once (an amendment's find). */
const ONCE = ['garden', 'shed'];
const ALL_CHOICES = ['yes', 'no', 'abstain', 'support', 'object', 'leave', 'stay'];

type ScopeSpec = { circle: true } | { topic: string } | { proposal: number };
type Op =
  | { t: 'join'; m: number }
  | { t: 'leave'; m: number }
  | { t: 'delegate'; m: number; to: number; scope: ScopeSpec }
  | { t: 'revoke'; m: number; scope: ScopeSpec }
  | { t: 'vote'; m: number; p: number; choice: number }
  | { t: 'retract'; m: number; p: number }
  | { t: 'position'; m: number; regime: RegimeName }
  | { t: 'amend'; m: number; p: number; at: number }
  | { t: 'wait'; ms: number };

interface ProposalSpec {
  kind: Exclude<ProposalKind, 'amendment'>;
  by: number;
  topic: string | null;
  windowMs: number;
  regime: RegimeName;
  member: number;
}

interface Script {
  regime: RegimeName;
  params: Record<string, string>;
  members: number[];
  setup: Op[];
  proposals: ProposalSpec[];
  ops: Op[];
  /** Per proposal, in closing order: a vote or retraction sent this many ms from its closesAt. */
  atClose: Array<{ offset: number; m: number; retract: boolean; choice: number }>;
}

const member = fc.integer({ min: 0, max: POOL - 1 });
const scope = (proposals: number): fc.Arbitrary<ScopeSpec> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant({ circle: true as const }) },
    { weight: 2, arbitrary: fc.constantFrom(...TOPICS).map((topic) => ({ topic })) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: proposals - 1 }).map((proposal) => ({ proposal })) },
  );
const op = (proposals: number): fc.Arbitrary<Op> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.record({ t: fc.constant('join' as const), m: member }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('leave' as const), m: member }) },
    { weight: 4, arbitrary: fc.record({ t: fc.constant('delegate' as const), m: member, to: member, scope: scope(proposals) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('revoke' as const), m: member, scope: scope(proposals) }) },
    { weight: 10, arbitrary: fc.record({ t: fc.constant('vote' as const), m: member, p: fc.nat(7), choice: fc.nat(20) }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('retract' as const), m: member, p: fc.nat(7) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('position' as const), m: member, regime: fc.constantFrom(...REGIMES) }) },
    { weight: 4, arbitrary: fc.record({ t: fc.constant('amend' as const), m: member, p: fc.nat(7), at: fc.nat(1000) }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('wait' as const), ms: fc.integer({ min: 10, max: 150 }) }) },
  );

const scriptArb: fc.Arbitrary<Script> = fc.integer({ min: 1, max: 5 }).chain((n) =>
  fc.record({
    regime: fc.constantFrom<RegimeName>(...REGIMES, 'amendment', 'split'),
    params: fc.record(
      {
        unanimityQuorum: fc.constantFrom('1', '2/3', '0.5'),
        objectionShare: fc.constantFrom('0.1', '1/3', '0', '1/2'),
        majorityQuorum: fc.constantFrom('0.2', '1/2', '0'),
        amendmentQuorum: fc.constantFrom('0.1', '1/3'),
        amendingShare: fc.constantFrom('1/2', '1/3'),
        splitShare: fc.constantFrom('1/3', '1/4', '1/2'),
      },
      { requiredKeys: [] },
    ),
    members: fc.uniqueArray(fc.integer({ min: 1, max: POOL - 1 }), { minLength: 2, maxLength: POOL - 1 }),
    setup: fc.array(
      fc.oneof(
        { weight: 1, arbitrary: op(n) },
        // Chains and cycles: delegations in the circle and topic scopes before anything opens.
        { weight: 2, arbitrary: fc.record({ t: fc.constant('delegate' as const), m: member, to: member, scope: fc.constantFrom<ScopeSpec>({ circle: true }, { topic: TOPICS[0] }) }) },
      ),
      { maxLength: 16 },
    ),
    proposals: fc.array(
      fc.record({
        kind: fc.constantFrom('motion', 'motion', 'motion', 'split', 'regime', 'membership') as fc.Arbitrary<ProposalSpec['kind']>,
        by: member,
        topic: fc.constantFrom(null, ...TOPICS),
        windowMs: fc.integer({ min: 1500, max: 3500 }),
        regime: fc.constantFrom(...REGIMES),
        member,
      }),
      { minLength: n, maxLength: n },
    ),
    ops: fc.array(op(n), { minLength: 10, maxLength: 50 }),
    atClose: fc.array(fc.record({ offset: fc.integer({ min: -80, max: 40 }), m: member, retract: fc.boolean(), choice: fc.nat(20) }), { maxLength: 6 }),
  }),
);

/** What the histories covered, over all runs (printed with DIFFERENTIAL_VERBOSE=1). */
const seen = { amendments: 0, amendmentsAdopted: 0, histories: 0, appended: 0, refused: 0, tallies: 0, adopted: 0, forked: 0, splits: 0, carried: 0, lost: 0, cycles: 0, void: 0, regimeChanges: 0 };

const refusals: Record<string, number> = {};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface LogLine extends ReplayEntry {
  leaf: string;
}

describe('the server’s tallies and forks equal the log replay’s (differential)', () => {
  let t: TestApp;
  let api: ApiClient;
  let pool: StatementSigner[];
  let registry: MemberState[];

  beforeAll(async () => {
    t = await startTestApp({ worker: true, env: { MIN_PROPOSAL_WINDOW_SECONDS: '1' } });
    api = new ApiClient(t.url);
    pool = [];
    for (let i = 0; i < POOL; i++) pool.push(await api.register(`m${i}`));
    registry = pool.map((s, i) => ({ id: s.id, name: `m${i}`, jwk: s.publicJwk }));
  });
  afterAll(() => t?.close());

  const log = async (circle: string): Promise<LogLine[]> =>
    (await api.get(`/api/v1/circles/${circle}/log`)).text
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const d = decodeEntryLine(line);
        if (!d.ok) throw new Error(d.reason);
        const parsed = parseCompact(d.entry.jws);
        return {
          seq: d.entry.seq,
          recordedAt: d.entry.recordedAt,
          jws: d.entry.jws,
          payload: parsed.payload,
          signer: parsed.header.kid,
          jwk: parsed.header.jwk,
          leaf: Buffer.from(d.leaf).toString('base64url'),
        };
      });

  /** A statement the rules may refuse (4xx, expected in a random history); a 5xx is a bug. */
  async function attempt<T extends StatementType>(signer: StatementSigner, type: T, circle: string, body: BodyOf<T>): Promise<{ id?: string } | null> {
    const answer = await api.postJws(signer.sign(type, circle, body));
    if (answer.status >= 500) throw new Error(`${type} answered ${answer.status}: ${answer.text}`);
    seen[answer.status === 201 ? 'appended' : 'refused']++;
    if (answer.status !== 201) {
      const code = `${type} ${(answer.body as { code?: string }).code}`;
      refusals[code] = (refusals[code] ?? 0) + 1;
    }
    return answer.status === 201 ? (answer.body as { id?: string }) : null;
  }

  async function run(script: Script): Promise<void> {
    const founder = pool[0];
    const circle = await api.circle(founder, 'Differential', { regime: script.regime, params: script.params, members: script.members.map((i) => pool[i]) });
    const proposals: Array<{ id: string; kind: ProposalKind; regime: RegimeName; closesAt: number; amendmentsCloseAt: number | null; text: string }> = [];
    // The members as this history believes them (membership proposals and forks may change them
    // behind its back): most actors are picked among them, so that most statements are accepted.
    let known = [founder, ...script.members.map((i) => pool[i])];
    const actor = (m: number) => (m === POOL - 1 ? pool[m] : known.length ? known[m % known.length] : pool[m]);
    const currentMembers = async () => (await api.get<{ members: string[] }>(`/api/v1/circles/${circle}`)).body.members ?? [];

    const scopeBody = (s: ScopeSpec): BodyOf<'delegation.set'>['scope'] | null => {
      if ('proposal' in s) return proposals[s.proposal] ? { proposal: proposals[s.proposal].id } : null;
      return s;
    };
    const choiceOf = (p: (typeof proposals)[number], n: number): string => {
      const valid = choicesFor(p.kind, p.regime);
      // Mostly a valid choice; now and then one the rules refuse.
      return n < 20 ? valid[n % valid.length] : ALL_CHOICES[n % ALL_CHOICES.length];
    };

    const perform = async (o: Op): Promise<void> => {
      const who = actor(('m' in o ? o.m : 0) as number);
      switch (o.t) {
        case 'join': {
          const joining = pool[o.m];
          const members = await currentMembers();
          known = pool.filter((s) => members.includes(s.id));
          if (members.includes(joining.id) || members.length === 0) return;
          const inviter = pool.find((s) => s.id === members[0]) as StatementSigner;
          if ((await attempt(inviter, 'member.invite', circle, { member: joining.id })) && (await attempt(joining, 'member.accept', circle, {}))) known.push(joining);
          return;
        }
        case 'leave':
          if (await attempt(who, 'member.leave', circle, {})) known = known.filter((s) => s !== who);
          return;
        case 'delegate': {
          const s = scopeBody(o.scope);
          const to = actor(o.to) === who ? actor(o.to + 1) : actor(o.to);
          if (s) await attempt(who, 'delegation.set', circle, { to: to.id, scope: s });
          return;
        }
        case 'revoke': {
          const s = scopeBody(o.scope);
          if (s) await attempt(who, 'delegation.revoke', circle, { scope: s });
          return;
        }
        case 'vote': {
          const p = proposals[o.p % Math.max(1, proposals.length)];
          if (p) await attempt(who, 'vote.cast', circle, { proposal: p.id, choice: choiceOf(p, o.choice), ...(choiceOf(p, o.choice) === 'object' ? { reason: 'no' } : {}) } as never);
          return;
        }
        case 'retract': {
          const p = proposals[o.p % Math.max(1, proposals.length)];
          if (p) await attempt(who, 'vote.retract', circle, { proposal: p.id });
          return;
        }
        case 'position':
          await attempt(who, 'regime.position', circle, { position: o.regime });
          return;
        case 'amend': {
          const amendable = proposals.filter((p) => p.amendmentsCloseAt !== null);
          const target = amendable[o.p % Math.max(1, amendable.length)];
          if (!target || target.amendmentsCloseAt === null || Date.now() >= target.amendmentsCloseAt - 150) return;
          const find = ONCE[o.at % ONCE.length];
          const answer = await attempt(who, 'proposal.open', circle, {
            kind: 'amendment',
            title: `Amend ${find}`,
            text: `Replace ${find}.`,
            closesAt: formatTimestamp(target.amendmentsCloseAt),
            target: target.id,
            find,
            // The same word twice: the later amendment is void once the first is applied.
            replace: `${find.split('').reverse().join('')}!`,
          });
          if (!answer?.id) return;
          seen.amendments++;
          proposals.push({ id: answer.id, kind: 'amendment', regime: target.regime, closesAt: target.amendmentsCloseAt, amendmentsCloseAt: null, text: '' });
          // Its author supports it: amendments get adopted, and one of two on the same words is void.
          await attempt(who, 'vote.cast', circle, { proposal: answer.id, choice: 'yes' });
          return;
        }
        case 'wait':
          await sleep(o.ms);
          return;
      }
    };

    for (const o of script.setup) await perform(o);
    for (const [i, p] of script.proposals.entries()) {
      const by = actor(p.by);
      const common = { title: `P${i}`, text: `We do thing ${i} and thing ${i + 1} in the garden by the shed.`, ...(p.topic ? { topic: p.topic } : {}), closesAt: formatTimestamp(Date.now() + p.windowMs) };
      const body =
        p.kind === 'split'
          ? { kind: 'split', ...common, name: `Split ${i}` }
          : p.kind === 'regime'
            ? { kind: 'regime', ...common, regime: p.regime, params: {} }
            : p.kind === 'membership'
              ? { kind: 'membership', ...common, member: actor(p.member).id }
              : { kind: 'motion', ...common };
      const answer = await attempt(by, 'proposal.open', circle, body as never);
      if (!answer?.id) continue;
      const read = (await api.get<{ regime: RegimeName; closesAt: string; amendmentsCloseAt?: string }>(`/api/v1/proposals/${answer.id}`)).body;
      proposals.push({
        id: answer.id,
        kind: p.kind,
        regime: read.regime,
        closesAt: Date.parse(read.closesAt),
        amendmentsCloseAt: read.amendmentsCloseAt ? Date.parse(read.amendmentsCloseAt) : null,
        text: common.text,
      });
    }
    for (const o of script.ops) await perform(o);
    // Votes and retractions on either side of each deadline.
    const closing = [...proposals].sort((a, b) => a.closesAt - b.closesAt);
    for (const [i, c] of script.atClose.entries()) {
      const p = closing[i % Math.max(1, closing.length)];
      if (!p) break;
      const wait = p.closesAt + c.offset - Date.now();
      if (wait > 0) await sleep(wait);
      if (c.retract) await perform({ t: 'retract', m: c.m, p: proposals.indexOf(p) });
      else await perform({ t: 'vote', m: c.m, p: proposals.indexOf(p), choice: c.choice });
    }

    // Every proposal gets its tally from the worker.
    await eventually(
      async () => {
        for (const p of proposals) if (!(await api.get<{ result?: unknown }>(`/api/v1/proposals/${p.id}`)).body.result) return false;
        return true;
      },
      30_000,
      'every tally',
    );
    // Forks with leavers get executed: wait for their circle.split.
    const replayOf = (lines: LogLine[]) => {
      const r = new LogReplay(circle, registry);
      for (const line of lines) r.push(line);
      r.advance(Date.now());
      return r;
    };
    const forked = proposals.filter((p) => p.kind === 'split' || p.regime === 'split');
    await eventually(
      async () => {
        const lines = await log(circle);
        const r = replayOf(lines);
        const splits = new Set(lines.filter((l) => l.payload.type === 'circle.split').map((l) => (l.payload.body as { cause: string }).cause));
        return forked.every((p) => splits.has(p.id) || !(r.forkMembers(p.id)?.length));
      },
      30_000,
      'every fork',
    );
    await sleep(100);

    // The reference: the whole log replayed; any tally or split that differs throws ReplayFailure.
    const lines = await log(circle);
    let replay: LogReplay;
    try {
      replay = replayOf(lines);
    } catch (e) {
      if (e instanceof ReplayFailure) {
        const entry = lines[e.seq];
        throw new Error(`the server and the replay differ at seq ${e.seq} (${entry?.payload.type}): ${e.code} ${e.message}`);
      }
      throw e;
    }
    const tallies = lines.filter((l) => l.payload.type === 'tally.result');
    expect(tallies.map((l) => (l.payload.body as { proposal: string }).proposal).sort()).toEqual(proposals.map((p) => p.id).sort());
    expect(replay.tallies).toBe(tallies.length);
    for (const l of tallies) {
      const body = l.payload.body as BodyOf<'tally.result'>;
      expect(body).toEqual(replay.recomputed(body.proposal));
      seen.tallies++;
      if (body.outcome === 'adopted') seen.adopted++;
      if (body.outcome === 'adopted' && proposals.find((p) => p.id === body.proposal)?.kind === 'amendment') seen.amendmentsAdopted++;
      if (body.outcome === 'forked') seen.forked++;
      if (body.lost.weight > 0) seen.lost++;
      seen.cycles += body.lost.cycles.length;
      if (body.void) seen.void++;
    }
    seen.regimeChanges += replay.regimeChanges;
    seen.histories++;

    // Forks: the new circle's genesis lists the same members and the delegations in force at the
    // tally between two of them, by the leaves of their entries in the original log.
    for (const split of lines.filter((l) => l.payload.type === 'circle.split')) {
      const { newCircle, members, cause } = split.payload.body as BodyOf<'circle.split'>;
      const genesis = (await log(newCircle))[0];
      const body = genesis.payload.body as BodyOf<'circle.forked'>;
      expect(derivedId(genesis.jws)).toBe(newCircle);
      expect(body.members).toEqual(members);
      expect(members).toEqual([...members].sort(compareIds)); // the server lists them in code-unit order
      const expected = replay.carriedDelegations(cause, members);
      expect(expected).toBeDefined();
      expect(body.atSeq).toBe(expected?.atSeq);
      expect(body.delegations).toEqual(expected?.delegations.map((d) => lines[d.seq].leaf));
      // The new circle replays too, its carried delegations resolved from the original log.
      const carried: CarriedDelegation[] = (expected?.delegations ?? []).map((d) => ({ leaf: lines[d.seq].leaf, member: d.member, scope: d.scope, delegate: d.delegate }));
      const fork = new LogReplay(newCircle, registry, { carried });
      for (const line of await log(newCircle)) fork.push(line);
      seen.splits++;
      seen.carried += body.delegations.length;
    }
  }

  it(`${RUNS} random histories: every tally.result and fork equals the replay's`, async () => {
    await fc.assert(
      fc.asyncProperty(scriptArb, async (script) => {
        await run(script);
      }),
      { numRuns: RUNS, endOnFailure: true, ...(SEED !== undefined ? { seed: SEED } : {}) },
    );
    if (process.env.DIFFERENTIAL_VERBOSE) process.stdout.write(`differential: ${JSON.stringify(seen)}\nrefused: ${JSON.stringify(refusals)}\n`);
    expect(seen.tallies).toBeGreaterThan(0);
  }, 60_000 + RUNS * 30_000);
});
