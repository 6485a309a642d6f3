// The slice of projected state one append batch needs, loaded in bulk, then kept current in
// memory as the batch's statements are decided one after the other. Replayed from an empty start
// with every entry's effects, the same class is the whole state of a log (offline verifier).
import type { StatementPayload } from '../formats/statement-types';
import { CircleState, Effect, MemberState, ProposalState, Scope, scopeKey, StateView } from './state';
import { KeyBook, type KeyRecord } from './key-rules';
import { memberIdOf } from '../formats/keys';

export interface StateNeeds {
  members: Set<string>;
  circles: Set<string>;
  /** `circle member` pairs. */
  memberships: Set<string>;
  invitations: Set<string>;
  proposals: Set<string>;
  /** `proposal member` pairs. */
  eligibility: Set<string>;
  votes: Set<string>;
  /** `circle member` pairs whose current delegations are needed. */
  delegations: Set<string>;
  /** `ancestor child proposal` triples. */
  receipts: Set<string>;
  /** Key thumbprints whose records are needed (SPEC §11). */
  keys: Set<string>;
  /** Members all of whose keys are needed. */
  keyMembers: Set<string>;
}

export function emptyNeeds(): StateNeeds {
  return {
    members: new Set(),
    circles: new Set(),
    memberships: new Set(),
    invitations: new Set(),
    proposals: new Set(),
    eligibility: new Set(),
    votes: new Set(),
    delegations: new Set(),
    receipts: new Set(),
    keys: new Set(),
    keyMembers: new Set(),
  };
}

const pair = (a: string, b: string) => `${a} ${b}`;

/** The pairs of a StateNeeds set as two columns (the first ids, the second ids), for bulk loads. */
export function unzipPairs(pairs: Set<string>): [string[], string[]] {
  const firsts: string[] = [];
  const seconds: string[] = [];
  for (const p of pairs) {
    const [a, b] = p.split(' ');
    firsts.push(a);
    seconds.push(b);
  }
  return [firsts, seconds];
}

/** What deciding this statement may look up. */
export function addNeeds(needs: StateNeeds, p: StatementPayload, signer: string, kid: string = signer): void {
  needs.members.add(signer);
  switch (p.type) {
    case 'member.register':
      needs.keys.add(signer);
      if (p.body.recovery) needs.keys.add(memberIdOf(p.body.recovery));
      return;
    case 'member.key.add':
    case 'member.recovery.set':
      needs.keys.add(kid).add(memberIdOf(p.body.jwk));
      needs.keyMembers.add(signer);
      return;
    case 'member.key.revoke':
      needs.keys.add(kid).add(p.body.key);
      needs.keyMembers.add(signer);
      return;
    default:
      break;
  }
  if (p.type === 'circle.forked') {
    needs.circles.add(p.body.from);
    if (p.body.parent) needs.circles.add(p.body.parent);
    for (const m of p.body.members) needs.memberships.add(pair(p.body.from, m));
    return;
  }
  if (p.type === 'circle.split') for (const m of p.body.members) needs.memberships.add(pair(p.circle, m));
  if (p.type === 'circle.create') {
    if (p.body.parent) {
      needs.circles.add(p.body.parent);
      needs.memberships.add(pair(p.body.parent, signer));
    }
    return;
  }
  if (!p.circle) return;
  needs.circles.add(p.circle);
  needs.memberships.add(pair(p.circle, signer));
  needs.invitations.add(pair(p.circle, signer));
  const body = p.body as { member?: unknown; to?: unknown; doer?: unknown; proposal?: unknown; scope?: { proposal?: string } };
  for (const other of [body.member, body.to, body.doer]) {
    if (typeof other === 'string') {
      needs.members.add(other);
      needs.memberships.add(pair(p.circle, other));
    }
  }
  for (const proposal of [body.proposal, body.scope?.proposal, (p.body as { target?: unknown }).target]) {
    if (typeof proposal !== 'string') continue;
    needs.proposals.add(proposal);
    needs.eligibility.add(pair(proposal, signer));
    needs.votes.add(pair(proposal, signer));
  }
  if (p.type === 'delegation.set' || p.type === 'delegation.revoke' || p.type === 'member.leave') needs.delegations.add(pair(p.circle, signer));
  if (p.type === 'child.decision') needs.receipts.add(`${p.circle} ${p.body.child} ${p.body.proposal}`);
}

export interface LoadedDelegation {
  circle: string;
  member: string;
  scope: Scope;
  delegate: string;
}

export interface LoadedState {
  members: MemberState[];
  circles: CircleState[];
  memberships: Array<[string, string]>;
  invitations: Array<[string, string]>;
  proposals?: ProposalState[];
  /** `[proposal, member]` pairs that are eligible. */
  eligibility?: Array<[string, string]>;
  /** `[proposal, member]` pairs with a standing (not retracted) vote. */
  votes?: Array<[string, string]>;
  delegations?: LoadedDelegation[];
  /** `[ancestor, child, proposal]` receipts that exist. */
  receipts?: Array<[string, string, string]>;
  /** Key records (SPEC §11). */
  keys?: KeyRecord[];
}

export class BatchState implements StateView {
  private readonly members = new Map<string, MemberState>();
  private readonly circles = new Map<string, CircleState>();
  private readonly memberships = new Set<string>();
  private readonly invitations = new Set<string>();
  private readonly proposals = new Map<string, ProposalState>();
  private readonly eligible = new Set<string>();
  private readonly votes = new Set<string>();
  /** `circle member` → scope key → delegate. */
  private readonly delegations = new Map<string, Map<string, string>>();
  private readonly receipts = new Set<string>();
  private readonly keyBook: KeyBook;
  /** Members per circle as this state knows them; replaced, never mutated, when they change. */
  private readonly circleMembers = new Map<string, ReadonlySet<string>>();
  /** Eligible members of proposals opened in this state (shared snapshots, copy-on-write). */
  private readonly eligibleAtOpening = new Map<string, ReadonlySet<string>>();

  constructor(loaded: LoadedState) {
    for (const m of loaded.members) this.members.set(m.id, m);
    for (const c of loaded.circles) this.circles.set(c.id, c);
    for (const [c, m] of loaded.memberships) this.join(c, m);
    for (const [c, m] of loaded.invitations) this.invitations.add(pair(c, m));
    for (const p of loaded.proposals ?? []) this.proposals.set(p.id, p);
    for (const [p, m] of loaded.eligibility ?? []) this.eligible.add(pair(p, m));
    for (const [p, m] of loaded.votes ?? []) this.votes.add(pair(p, m));
    for (const d of loaded.delegations ?? []) this.delegationsOf(d.circle, d.member).set(scopeKey(d.scope), d.delegate);
    for (const [a, c, p] of loaded.receipts ?? []) this.receipts.add(`${a} ${c} ${p}`);
    this.keyBook = new KeyBook(loaded.keys ?? []);
  }

  key(kid: string): KeyRecord | undefined {
    return this.keyBook.key(kid);
  }

  keysOf(member: string): readonly KeyRecord[] {
    return this.keyBook.keysOf(member);
  }

  hasReceipt(ancestor: string, child: string, proposal: string): boolean {
    return this.receipts.has(`${ancestor} ${child} ${proposal}`);
  }

  member(id: string): MemberState | undefined {
    return this.members.get(id);
  }

  circle(id: string): CircleState | undefined {
    return this.circles.get(id);
  }

  isMember(circle: string, member: string): boolean {
    return this.memberships.has(pair(circle, member));
  }

  hasPendingInvitation(circle: string, member: string): boolean {
    return this.invitations.has(pair(circle, member));
  }

  proposal(id: string): ProposalState | undefined {
    return this.proposals.get(id);
  }

  isEligible(proposal: string, member: string): boolean {
    return this.eligible.has(pair(proposal, member)) || (this.eligibleAtOpening.get(proposal)?.has(member) ?? false);
  }

  private join(circle: string, member: string): void {
    this.memberships.add(pair(circle, member));
    this.circleMembers.set(circle, new Set(this.circleMembers.get(circle)).add(member));
  }

  private leave(circle: string, member: string): void {
    this.memberships.delete(pair(circle, member));
    const next = new Set(this.circleMembers.get(circle));
    next.delete(member);
    this.circleMembers.set(circle, next);
  }

  hasVote(proposal: string, member: string): boolean {
    return this.votes.has(pair(proposal, member));
  }

  delegation(circle: string, member: string, scope: Scope): string | undefined {
    return this.delegations.get(pair(circle, member))?.get(scopeKey(scope));
  }

  private delegationsOf(circle: string, member: string): Map<string, string> {
    const key = pair(circle, member);
    let map = this.delegations.get(key);
    if (!map) this.delegations.set(key, (map = new Map()));
    return map;
  }

  apply(effect: Effect): void {
    switch (effect.kind) {
      case 'member.registered':
        this.members.set(effect.member.id, effect.member);
        return;
      case 'key.added':
      case 'key.revoked':
        this.keyBook.apply(effect);
        return;
      case 'circle.created':
        this.circles.set(effect.circle.id, effect.circle);
        return;
      case 'member.invited':
        this.invitations.add(pair(effect.circle, effect.member));
        return;
      case 'member.joined':
        this.join(effect.circle, effect.member);
        this.invitations.delete(pair(effect.circle, effect.member));
        return;
      case 'member.left':
        this.leave(effect.circle, effect.member);
        return;
      case 'proposal.opened': {
        const { title: _t, openedBy: _b, ...proposal } = effect.proposal;
        this.proposals.set(proposal.id, proposal);
        // Eligible: the members just before this entry, as far as this state knows them (shared).
        this.eligibleAtOpening.set(proposal.id, this.circleMembers.get(proposal.circle) ?? new Set());
        return;
      }
      case 'vote.set':
        if (effect.choice === null) this.votes.delete(pair(effect.proposal, effect.member));
        else this.votes.add(pair(effect.proposal, effect.member));
        return;
      case 'delegation.set':
        this.delegationsOf(effect.circle, effect.member).set(scopeKey(effect.scope), effect.delegate);
        return;
      case 'delegation.ended':
        this.delegationsOf(effect.circle, effect.member).delete(scopeKey(effect.scope));
        return;
      case 'delegations.lapsed':
        this.delegations.delete(pair(effect.circle, effect.member));
        return;
      case 'delegations.to.lapsed': {
        const gone = new Set(effect.delegates);
        for (const [key, scoped] of this.delegations) {
          if (!key.startsWith(`${effect.circle} `)) continue;
          for (const [scope, delegate] of scoped) if (gone.has(delegate)) scoped.delete(scope);
        }
        return;
      }
      case 'proposal.closed': {
        const proposal = this.proposals.get(effect.proposal);
        if (proposal) this.proposals.set(proposal.id, { ...proposal, closed: true });
        return;
      }
      case 'position.set':
        return; // positions matter to the cursor job, which reads them under the circle's lock
      case 'remote.child.recorded':
        return; // read from its table by the federation routes, never by a rule
      case 'receipt.recorded':
        this.receipts.add(`${effect.ancestor} ${effect.child} ${effect.proposal}`);
        return;
      case 'circle.regime': {
        const circle = this.circles.get(effect.circle);
        if (circle) this.circles.set(circle.id, { ...circle, regime: effect.regime, params: effect.params });
        return;
      }
    }
  }
}

