// Parsing and printing for the member's commands: durations (`--closes-in 3d`),
// tallies, log entries as readable lines. Pure, unit-tested.
import type { Totals } from '../core/governance/tally';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A window such as `90s`, `45m`, `2h`, `3d`, `1w` or a sum `1d12h` (whole numbers,
 * at least one part) in milliseconds; null for anything else.
 */
export function parseDuration(text: string): number | null {
  const s = text.trim().toLowerCase();
  if (!/^(\d+[smhdw])+$/.test(s)) return null;
  let ms = 0;
  for (const [, n, unit] of s.matchAll(/(\d+)([smhdw])/g)) {
    ms += Number(n) * UNIT_MS[unit];
  }
  return Number.isSafeInteger(ms) && ms > 0 ? ms : null;
}

/** The largest two units of a duration: `3d`, `1d 12h`, `5m 30s`, `0s`. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  const parts: string[] = [];
  let rest = Math.floor(ms / 1000);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
  }
  return parts.slice(0, 2).join(' ') || '0s';
}

/** A short form of a 43-character member id or a 22-character circle or proposal id. */
export function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

/** A tally's totals (SPEC §5.3) as the API answers them, with the weight lost and absent when given. */
export interface ShownTotals extends Totals {
  lost?: number;
  absent?: number;
}

/** `yes 2 · no 1 · abstain 0 · object 0 · lost 0 · absent 1 (E 4)`, the words following the regime. */
export function formatTotals(t: ShownTotals, regime: string): string {
  const words =
    regime === 'do-ocracy'
      ? ['support', 'no', 'abstain', 'object']
      : regime === 'split'
        ? ['leave', 'stay', 'abstain', 'object']
        : ['yes', 'no', 'abstain', 'object'];
  const parts = [`${words[0]} ${t.Y}`, `${words[1]} ${t.N}`, `${words[2]} ${t.A}`];
  if (regime === 'do-ocracy' || t.O > 0) parts.push(`${words[3]} ${t.O}`);
  if (t.lost !== undefined) parts.push(`lost ${t.lost}`);
  if (t.absent !== undefined) parts.push(`absent ${t.absent}`);
  return `${parts.join(' · ')} (E ${t.E})`;
}

/** `key=value` pairs of a params object, in name order. */
export function formatParams(params: Record<string, unknown> | undefined): string {
  const entries = Object.entries(params ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return entries.length === 0 ? 'defaults' : entries.map(([k, v]) => `${k}=${String(v)}`).join(', ');
}

/** Fixed-width columns, for lists. */
export function columns(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd()).join('\n') + '\n';
}

export interface EntryLine {
  seq: number;
  recordedAt: string;
  type: string;
  signer: string;
  body: Record<string, unknown>;
}

/** One log entry as a readable line: `#12 2026-12-05 10:31:02 vote.cast Alice… yes on Q7c…`. */
export function formatEntry(e: EntryLine, names: (id: string) => string = shortId): string {
  const b = e.body;
  const at = e.recordedAt.replace('T', ' ').replace(/\.\d{3}Z$/, '');
  const who = names(e.signer);
  const str = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
  const what = ((): string => {
    switch (e.type) {
      case 'circle.create':
        return `${who} created circle "${str(b.name)}" (${str(b.regime)})`;
      case 'member.invite':
        return `${who} invited ${names(str(b.member))}`;
      case 'member.accept':
        return `${who} joined`;
      case 'member.leave':
        return `${who} left`;
      case 'proposal.open':
        return `${who} opened ${str(b.kind)} "${str(b.title)}", closes ${str(b.closesAt)}`;
      case 'vote.cast':
        return `${who} voted ${str(b.choice)} on ${shortId(str(b.proposal))}${b.reason ? ` (${str(b.reason)})` : ''}`;
      case 'vote.retract':
        return `${who} retracted the vote on ${shortId(str(b.proposal))}`;
      case 'delegation.set':
        return `${who} delegated to ${names(str(b.to))} (${scopeText(b.scope)})`;
      case 'delegation.revoke':
        return `${who} revoked the delegation (${scopeText(b.scope)})`;
      case 'regime.position':
        return `${who} took the position ${str(b.position)}`;
      case 'tally.result': {
        const totals = b.totals as ShownTotals;
        const lost = (b.lost as { weight: number } | undefined)?.weight ?? 0;
        return `tally of ${shortId(str(b.proposal))}: ${str(b.outcome)} — ${formatTotals({ ...totals, lost, absent: Number(b.absent) }, str(b.regime))}`;
      }
      case 'child.created':
        return `child circle ${str(b.child)} created`;
      case 'child.decision':
        return `receipt: ${str(b.outcome)} ${shortId(str(b.proposal))} in child ${str(b.child)}`;
      case 'regime.changed':
        return `regime changed from ${str(b.from)} to ${str(b.to)}`;
      case 'circle.split':
        return `split: ${(b.members as unknown[]).length} member(s) left for ${str(b.newCircle)}`;
      case 'circle.forked':
        return `forked from ${str(b.from)} at seq ${str(b.atSeq)}`;
      default:
        return `${who} ${e.type}`;
    }
  })();
  return `#${e.seq} ${at} ${e.type.padEnd(17)} ${what}`;
}

export function scopeText(scope: unknown): string {
  const s = (scope ?? {}) as Record<string, unknown>;
  if (s.circle === true) return 'whole circle';
  if (typeof s.topic === 'string') return `topic ${s.topic}`;
  if (typeof s.proposal === 'string') return `proposal ${shortId(s.proposal)}`;
  return JSON.stringify(scope);
}
