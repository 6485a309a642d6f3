// SPEC §5: closing proposals with a `tally.result` the instance signs, and reading them with their
// provisional tally. The tally itself is src/core/governance/tally.ts, the same code the verifier runs.
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DomainError } from '../core/rules/domain-error';
import { formatTimestamp } from '../core/formats/canonical-json';
import { AppendResult, LedgerWriter } from '../ledger/ledger-writer';
import { AmendmentRow, ProposalRow, ProposalsRepository } from './proposals.repository';
import { applyAmendments } from '../core/governance/amendments';
import { TallyResultBody } from '../core/governance/tally';
import { weightOf } from '../core/governance/weight';
import { Clock } from '../common/clock';
import { LedgerRepository } from '../ledger/ledger.repository';
import type { ProposalAnswer, ProposalPageAnswer, ProposalSummaryAnswer, WeightAnswer } from './dto/proposal.answers';

/** SPEC §5.3: only motions decided under the amendment regime have amendments. */
const isAmendable = (p: ProposalRow) => p.kind === 'motion' && p.regime === 'amendment';

type AmendmentStatus = NonNullable<ProposalSummaryAnswer['amendments']>[number]['status'];

/** A page cursor: the opened_seq of the last proposal of the previous page (docs/api.md). */
function cursorSeq(after: string): number {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(after)) throw new DomainError('INVALID_REQUEST', 'after must be the `next` of a previous page', 'after');
  return Number(after);
}

export class NotYetDue extends Error {
  constructor(readonly closesAt: number, proposal: string) {
    super(`Proposal ${proposal} closes at ${formatTimestamp(closesAt)}`);
  }
}

@Injectable()
export class ProposalsService {
  private readonly logger = new Logger('Proposals');

  constructor(
    private readonly proposals: ProposalsRepository,
    private readonly writer: LedgerWriter,
    private readonly clock: Clock,
    private readonly ledger: LedgerRepository,
  ) {}

  /** Keep a big circle's eligible members at the opening of `proposal`, for its tallies; how many (0: none kept). */
  snapshotPopulation(proposal: string): Promise<number> {
    return this.proposals.snapshotPopulation(proposal);
  }

  /** Tally a proposal past its deadline and append the result; idempotent (null: already closed). */
  async close(id: string, now = this.clock.now()): Promise<AppendResult | null> {
    const proposal = await this.proposals.proposal(id);
    if (!proposal) throw new Error(`No proposal ${id}`);
    if (proposal.result) return null;
    if (now < proposal.closesAt) throw new NotYetDue(proposal.closesAt, id);
    const result = await this.writer.submitSystem({
      lane: proposal.circle,
      receivedAt: now,
      // Under the circle's lock: every vote recorded before closesAt has committed by now.
      compose: async (m: EntityManager) => {
        // On the transaction's connection: the embedded database has only one.
        const fresh = await this.proposals.proposal(id, m);
        if (!fresh || fresh.result) return null;
        // A motion is voted on its amended text: its amendments are tallied first (they close earlier).
        const amended = await this.amended(fresh, m);
        if (amended?.pending) throw new Error(`Motion ${id} waits for ${amended.pending} amendment tally(ies)`);
        const body = await this.tally(fresh, m, fresh.closesAt, true);
        return { type: 'tally.result', circle: fresh.circle, body };
      },
    });
    if (result) this.logger.log(`Closed ${id}: ${result.circle}#${result.seq}`);
    return result;
  }

  /**
   * The tally of the state at close (or, for an open proposal, of the state now): loaded in bulk
   * as typed arrays (the same body as tallyProposal over tallyInputs, for any circle size).
   * `closing`: the close itself, under the circle's lock (tally-loader.ts, `side`).
   */
  async tally(p: ProposalRow, m?: EntityManager, at = p.closesAt, closing = false): Promise<TallyResultBody> {
    const amended = await this.amended(p, m);
    const loaded = await this.proposals.tallyArrays({ ...p, ...(amended && amended.void.length ? { void: amended.void } : {}) }, at, m, closing);
    return this.proposals.tallyLoaded(loaded, m);
  }

  /**
   * SPEC §5.3: an amendment-regime motion's text with its adopted amendments applied in opening
   * order, once every amendment is tallied; null for other proposals.
   */
  async amended(p: ProposalRow, m?: EntityManager, preloaded?: AmendmentRow[]) {
    if (!isAmendable(p)) return null;
    const amendments = preloaded ?? (await this.proposals.amendmentsOf(p.id, m));
    const pending = amendments.filter((a) => a.outcome === null);
    const adopted = amendments.filter((a) => a.outcome === 'adopted');
    const result = applyAmendments(p.text, adopted);
    return { ...result, amendments, pending: pending.length };
  }

  async read(id: string): Promise<ProposalAnswer> {
    const p = await this.proposals.proposal(id);
    if (!p) throw new DomainError('UNKNOWN_PROPOSAL', `No proposal ${id}`);
    const now = this.clock.now();
    const view = await this.view(p, now);
    if (p.result) return view;
    return { ...view, provisional: await this.provisional(p, now) };
  }

  /** The provisional tally of an open proposal (SPEC §5.2), as of now. */
  async provisional(p: ProposalRow, now = this.clock.now()): Promise<ProposalAnswer['provisional'] & object> {
    const { totals, lost, absent } = await this.tally(p, undefined, Math.min(now + 1, p.closesAt));
    return { ...totals, lost: lost.weight, absent };
  }

  /** An open proposal's provisional tally by id; null once it is closed (or unknown). */
  async provisionalOf(id: string): Promise<ProposalAnswer['provisional'] | null> {
    const p = await this.proposals.proposal(id);
    return p && !p.result ? this.provisional(p) : null;
  }

  /** A proposal's circle; UNKNOWN_PROPOSAL when there is no such proposal. */
  async circleOf(id: string): Promise<string> {
    const p = await this.proposals.proposal(id);
    if (!p) throw new DomainError('UNKNOWN_PROPOSAL', `No proposal ${id}`);
    return p.circle;
  }

  /** The ids of a circle's proposals still without a tally. */
  openProposalIds(circle: string): Promise<string[]> {
    return this.proposals.openIds(circle);
  }

  /** A proposal as GET /proposals/:id answers it, without the provisional tally. */
  private async view(p: ProposalRow, now: number, amendments?: AmendmentRow[]): Promise<ProposalSummaryAnswer> {
    const status = p.result ? 'closed' : p.amendmentsCloseAt !== null && now < p.amendmentsCloseAt ? 'amending' : 'open';
    const amended = await this.amended(p, undefined, amendments);
    return {
      id: p.id,
      circle: p.circle,
      kind: p.kind,
      title: p.title,
      // The text as amended so far (amendments adopted, in opening order), and its history.
      text: amended ? amended.text : p.text,
      ...(amended
        ? {
            originalText: p.text,
            amendments: amended.amendments.map((a) => ({
              id: a.id,
              find: a.find,
              replace: a.replace,
              status: (a.outcome === null ? 'open' : a.outcome !== 'adopted' ? a.outcome : amended.void.includes(a.id) ? 'void' : 'applied') as AmendmentStatus,
            })),
          }
        : {}),
      topic: p.topic,
      regime: p.regime,
      params: { ...p.params },
      status,
      closesAt: formatTimestamp(p.closesAt),
      ...(p.amendmentsCloseAt !== null ? { amendmentsCloseAt: formatTimestamp(p.amendmentsCloseAt) } : {}),
      openedBy: p.openedBy,
      openedSeq: p.openedSeq,
      // Do-ocracy: the member who will do it, by default the proposer (SPEC §5.3).
      ...(p.regime === 'do-ocracy' ? { doer: (p.body.doer as string | undefined) ?? p.openedBy } : {}),
      // The kind-specific part of the opening body: {regime, params}, {member}, {doer}, {ratify}…
      ...(Object.keys(p.body).length ? { proposed: p.body } : {}),
      ...(p.result ? { result: p.result as ProposalSummaryAnswer['result'] } : {}),
    };
  }

  /** A circle's proposals, newest first, `limit` at a time; `after` is the previous page's `next`. */
  async list(circle: string, q: { status?: ProposalSummaryAnswer['status']; kind?: string; limit: number; after?: string }): Promise<ProposalPageAnswer> {
    if (!(await this.ledger.head(circle))) throw new DomainError('UNKNOWN_CIRCLE', `No circle ${circle}`);
    const now = this.clock.now();
    const before = q.after === undefined ? undefined : cursorSeq(q.after);
    // One more than asked: whether a next page exists, without a count.
    const rows = await this.proposals.page(circle, { status: q.status, kind: q.kind, before, limit: q.limit + 1, now });
    const page = rows.slice(0, q.limit);
    const amendments = await this.proposals.amendmentsOfMotions(page.filter(isAmendable).map((p) => p.id));
    const items = await Promise.all(page.map((p) => this.view(p, now, isAmendable(p) ? (amendments.get(p.id) ?? []) : undefined)));
    return { items, next: rows.length > q.limit ? String(page[page.length - 1].openedSeq) : null };
  }

  /**
   * SPEC §5.2: how a member's weight was cast (state at close) or is cast now (while open), with
   * the same inputs and resolution as the delegation graph and the tally.
   */
  async weight(id: string, member: string): Promise<WeightAnswer> {
    const p = await this.proposals.proposal(id);
    if (!p) throw new DomainError('UNKNOWN_PROPOSAL', `No proposal ${id}`);
    const at = p.result ? p.closesAt : Math.min(this.clock.now() + 1, p.closesAt);
    const inputs = await this.proposals.tallyInputs(p, at);
    const cast = weightOf({ ...inputs, topic: p.topic, delegationApplies: p.kind !== 'split' }, member);
    if (!cast) throw new DomainError('NOT_ELIGIBLE', `${member} was not a member of the circle when this proposal opened: she has no weight on it`, 'member');
    return cast as WeightAnswer;
  }

  /**
   * SPEC §8: a motion adopted with `ratify: true` opens, once, a ratification motion in the parent,
   * system-opened, with the child motion's title and text and a window as long as its own.
   */
  async openRatification(childProposal: string, parent: string): Promise<AppendResult | null> {
    const child = await this.proposals.proposal(childProposal);
    if (!child || child.kind !== 'motion' || child.body.ratify !== true || child.result?.outcome !== 'adopted') return null;
    // The parent ratifies what the child adopted: the text as amended.
    const text = (await this.amended(child))?.text ?? child.text;
    return this.openRatificationMotion(parent, { circle: child.circle, proposal: child.id }, child.title, text, child.closesAt - child.openedAt);
  }

  /**
   * The ratification motion in `parent` of the motion `ratifies` (a circle here, or a qualified id
   * of a circle on another instance, SPEC §12.2), once: system-opened, with the child's title and
   * text as amended, and a window as long as its own.
   */
  openRatificationMotion(parent: string, ratifies: { circle: string; proposal: string }, title: string, text: string, windowMs: number): Promise<AppendResult | null> {
    return this.writer.submitSystem({
      lane: parent,
      receivedAt: this.clock.now(),
      compose: async (m: EntityManager) => {
        if (await this.proposals.ratificationExists(m, ratifies.circle, ratifies.proposal)) return null;
        const body = { kind: 'motion' as const, title, text, topic: null, closesAt: formatTimestamp(this.clock.now() + windowMs), ratifies };
        return { type: 'proposal.open', circle: parent, body };
      },
    });
  }

  /**
   * SPEC §8, §12.2: what a parent on another instance needs to ratify an adopted `ratify: true`
   * motion: the seq of its opening entry and, for each adopted amendment, of its opening and its
   * tally (its text as amended follows from them). null for anything else.
   */
  async ratificationSources(proposal: string): Promise<{ openedSeq: number; amendments: Array<{ openedSeq: number; closedSeq: number }> } | null> {
    const p = await this.proposals.proposal(proposal);
    if (!p || p.kind !== 'motion' || p.body.ratify !== true || p.result?.outcome !== 'adopted') return null;
    const adopted = (await this.proposals.amendmentsOf(p.id)).filter((a) => a.outcome === 'adopted');
    const amendments = await Promise.all(
      adopted.map(async (a) => ({ openedSeq: a.openedSeq, closedSeq: (await this.proposals.closedSeq(a.id)) as number })),
    );
    return { openedSeq: p.openedSeq, amendments };
  }

  pendingProposals(limit: number) {
    return this.proposals.pending(limit);
  }
}
