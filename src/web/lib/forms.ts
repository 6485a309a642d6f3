// Pure form logic (no DOM): what a member fills in, turned into statement bodies the core's
// schemas accept, with the field at fault named when something is missing. Unit-tested in
// test/unit/web/.
import { choicesFor } from '../../core/governance/tally';
import { BODY_SCHEMAS, type BodyOf, type ProposalOpenBody } from '../../core/formats/statement-types';
import { formatTimestamp } from '../../core/formats/canonical-json';
import { countOccurrences } from '../../core/governance/amendments';
import type { ProposalKind, RegimeName } from '../../core/formats/vocabulary';

export interface FormError {
  field: string;
  /** a message key under `form.` in the locales */
  key: string;
}

export type FormResult<T> = { ok: true; value: T } | { ok: false, errors: FormError[] };

export interface ProposalForm {
  kind: ProposalKind;
  title: string;
  text: string;
  topic: string;
  /** minutes from now until it closes */
  minutes: number;
  // amendment
  target?: string;
  targetText?: string;
  targetAmendmentsCloseAt?: string;
  find?: string;
  replace?: string;
  // regime
  regime?: RegimeName;
  // membership
  member?: string;
  // split
  name?: string;
  // motion
  ratify?: boolean;
}

/** The kinds a member may open in a circle under `regime` (amendments need an open motion to target). */
export function kindsFor(regime: RegimeName, hasAmendableMotion: boolean): ProposalKind[] {
  const kinds: ProposalKind[] = ['motion', 'regime', 'membership', 'split'];
  if (regime === 'amendment' && hasAmendableMotion) kinds.splice(1, 0, 'amendment');
  return kinds;
}

/** The `proposal.open` body for a form, checked by the same schema the server checks it with. */
export function proposalBody(form: ProposalForm, nowMs: number): FormResult<ProposalOpenBody> {
  const errors: FormError[] = [];
  const title = form.title.trim();
  if (title === '') errors.push({ field: 'title', key: 'required' });
  if (form.text.trim() === '') errors.push({ field: 'text', key: 'required' });
  const common = {
    title,
    text: form.text,
    ...(form.topic.trim() ? { topic: form.topic.trim() } : {}),
  };
  let body: Record<string, unknown>;
  switch (form.kind) {
    case 'motion':
      body = { kind: 'motion', ...common, closesAt: closesAt(form.minutes, nowMs, errors), ...(form.ratify ? { ratify: true } : {}) };
      break;
    case 'amendment': {
      if (!form.target) errors.push({ field: 'target', key: 'required' });
      const find = form.find ?? '';
      if (find === '') errors.push({ field: 'find', key: 'required' });
      else if (form.targetText !== undefined && countOccurrences(form.targetText, find) !== 1) errors.push({ field: 'find', key: 'findOnce' });
      if (!form.targetAmendmentsCloseAt) errors.push({ field: 'target', key: 'notAmendable' });
      body = { kind: 'amendment', ...common, closesAt: form.targetAmendmentsCloseAt ?? '', target: form.target ?? '', find, replace: form.replace ?? '' };
      break;
    }
    case 'regime':
      if (!form.regime) errors.push({ field: 'regime', key: 'required' });
      body = { kind: 'regime', ...common, closesAt: closesAt(form.minutes, nowMs, errors), regime: form.regime ?? 'unanimity', params: {} };
      break;
    case 'membership':
      if (!form.member?.trim()) errors.push({ field: 'member', key: 'required' });
      body = { kind: 'membership', ...common, closesAt: closesAt(form.minutes, nowMs, errors), member: form.member?.trim() ?? '' };
      break;
    case 'split':
      if (!form.name?.trim()) errors.push({ field: 'name', key: 'required' });
      body = { kind: 'split', ...common, closesAt: closesAt(form.minutes, nowMs, errors), name: form.name?.trim() ?? '' };
      break;
  }
  if (errors.length > 0) return { ok: false, errors };
  const parsed = BODY_SCHEMAS['proposal.open'].safeParse(body);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? 'form'), key: 'invalid' })) };
  }
  return { ok: true, value: parsed.data };
}

function closesAt(minutes: number, nowMs: number, errors: FormError[]): string {
  if (!Number.isFinite(minutes) || minutes <= 0) {
    errors.push({ field: 'minutes', key: 'positive' });
    return formatTimestamp(nowMs);
  }
  return formatTimestamp(nowMs + Math.round(minutes * 60_000));
}

/** The choices of a vote on this proposal, from the core's table (SPEC §5.3, §5.4). */
export function voteChoices(kind: ProposalKind, regime: RegimeName): readonly string[] {
  return choicesFor(kind, regime);
}

/** A `vote.cast` body; `object` needs a reason (SPEC §4). */
export function voteBody(proposal: string, choice: string, reason: string): FormResult<BodyOf<'vote.cast'>> {
  const trimmed = reason.trim();
  if (choice === 'object' && trimmed === '') return { ok: false, errors: [{ field: 'reason', key: 'reasonRequired' }] };
  const body = { proposal, choice, ...(trimmed ? { reason: trimmed } : {}) };
  const parsed = BODY_SCHEMAS['vote.cast'].safeParse(body);
  if (!parsed.success) return { ok: false, errors: [{ field: 'choice', key: 'invalid' }] };
  return { ok: true, value: parsed.data };
}

export type ScopeChoice = { kind: 'circle' } | { kind: 'topic'; topic: string } | { kind: 'proposal'; proposal: string };

/** The `scope` of a delegation (SPEC §4). */
export function delegationScope(choice: ScopeChoice): BodyOf<'delegation.set'>['scope'] {
  switch (choice.kind) {
    case 'circle':
      return { circle: true };
    case 'topic':
      return { topic: choice.topic.trim() };
    case 'proposal':
      return { proposal: choice.proposal };
  }
}

/**
 * The link a member hands to whoever will invite her: it carries her member id, and opens a page
 * where the inviter picks one of her own circles to invite her to.
 */
export function invitationLink(origin: string, member: string): string {
  return `${origin}/join/${encodeURIComponent(member)}`;
}
