// Pure formatting for the pages (no DOM): countdowns, short ids, thresholds. Unit-tested in
// test/unit/web/.
import { paramRatio } from '../../core/governance/params';
import type { Params, RegimeName } from '../../core/formats/vocabulary';
import type { ProposalKind } from '../../core/formats/vocabulary';

export interface Countdown {
  /** false once the moment has passed */
  future: boolean;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

export function countdown(untilIso: string, nowMs: number): Countdown {
  const delta = Date.parse(untilIso) - nowMs;
  const total = Math.max(0, Math.floor(Math.abs(delta) / 1000));
  return {
    future: delta > 0,
    days: Math.floor(total / 86_400),
    hours: Math.floor((total % 86_400) / 3600),
    minutes: Math.floor((total % 3600) / 60),
    seconds: total % 60,
  };
}

/** "2 d 03:04:05", "03:04:05" or "04:05": compact and language-neutral. */
export function formatCountdown(c: Countdown): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const clock = c.days > 0 || c.hours > 0 ? `${two(c.hours)}:${two(c.minutes)}:${two(c.seconds)}` : `${two(c.minutes)}:${two(c.seconds)}`;
  return c.days > 0 ? `${c.days} d ${clock}` : clock;
}

/** A member or circle id shortened for display; the full id stays in the title attribute. */
export function shortId(id: string, length = 8): string {
  return id.length <= length + 1 ? id : `${id.slice(0, length)}…`;
}

export interface Threshold {
  /** which figure the line is drawn against: participation (Y+N+A), objections (O), or the yes side */
  measure: 'Y+A' | 'Y+N+A' | 'O' | 'min(Y,N)' | 'none';
  /** the weight at which the line stands */
  value: number;
  /** the parameter it comes from */
  param: string | null;
}

/**
 * The threshold the regime's rule draws on the tally (SPEC §5.3), as a weight for the chart.
 * The outcome itself is decided by the core's exact rules; this only places a line.
 */
export function thresholdOf(kind: ProposalKind, regime: RegimeName, params: Partial<Params>, E: number, Y = 0, N = 0): Threshold {
  const weight = (name: Parameters<typeof paramRatio>[1], of: number) => {
    const r = paramRatio(params, name);
    return (Number(r.num) / Number(r.den)) * of;
  };
  if (kind === 'split') return { measure: 'none', value: 0, param: null };
  switch (regime) {
    case 'unanimity':
      return { measure: 'Y+A', value: weight('unanimityQuorum', E), param: 'unanimityQuorum' };
    case 'do-ocracy':
      return { measure: 'O', value: weight('objectionShare', E), param: 'objectionShare' };
    case 'amendment':
      return kind === 'amendment'
        ? { measure: 'Y+N+A', value: weight('amendmentQuorum', E), param: 'amendmentQuorum' }
        : { measure: 'Y+N+A', value: weight('majorityQuorum', E), param: 'majorityQuorum' };
    case 'split':
      return { measure: 'min(Y,N)', value: weight('splitShare', Y + N), param: 'splitShare' };
  }
}

/** A parameter as written (0.1, "1/3") shown as a percentage with one decimal at most. */
export function percentOf(params: Partial<Params>, name: Parameters<typeof paramRatio>[1]): string {
  const r = paramRatio(params, name);
  const pct = (Number(r.num) * 100) / Number(r.den);
  return `${Number.isInteger(pct) ? pct : pct.toFixed(1)} %`;
}

/**
 * A proposal's page, naming its circle when known: the page then asks for the proposal and for the
 * circle's delegations at once (the delegation summary need not wait for the proposal's answer).
 */
export function proposalHref(p: { id: string; circle?: string }): string {
  return p.circle ? `/proposals/${p.id}?circle=${encodeURIComponent(p.circle)}` : `/proposals/${p.id}`;
}
