// SPEC §5.3 (amendment regime) — exact text edits on a motion and the end
// of its amending phase.
import { floorScaled, type Ratio } from './fraction';

/** Occurrences of `find` in `text`, overlapping ones included ("aa" occurs twice in "aaa"). */
export function countOccurrences(text: string, find: string): number {
  if (find.length === 0) throw new RangeError('countOccurrences: find must not be empty');
  let count = 0;
  for (let at = text.indexOf(find); at !== -1; at = text.indexOf(find, at + 1)) count++;
  return count;
}

/** Whether an amendment's `find` can apply to `text`: it occurs exactly once. */
export function matchesOnce(text: string, find: string): boolean {
  return find.length > 0 && countOccurrences(text, find) === 1;
}

export interface AdoptedAmendment {
  id: string;
  find: string;
  replace: string;
}

/**
 * Applies adopted amendments in the order they were opened. Each applies to
 * the text as amended so far; one whose `find` no longer occurs exactly
 * once is void and skipped.
 */
export function applyAmendments(
  text: string,
  adopted: readonly AdoptedAmendment[],
): { text: string; applied: string[]; void: string[] } {
  const applied: string[] = [];
  const voided: string[] = [];
  for (const a of adopted) {
    if (!matchesOnce(text, a.find)) {
      voided.push(a.id);
      continue;
    }
    // Slicing, not String.replace, which would interpret "$&" and friends in `replace`.
    const at = text.indexOf(a.find);
    text = text.slice(0, at) + a.replace + text.slice(at + a.find.length);
    applied.push(a.id);
  }
  return { text, applied, void: voided };
}

/** `openedAt + ⌊amendingShare · (closesAt − openedAt)⌋`, in epoch milliseconds. */
export function amendmentsCloseAt(openedAtMs: number, closesAtMs: number, amendingShare: Ratio): number {
  if (!Number.isSafeInteger(openedAtMs) || !Number.isSafeInteger(closesAtMs)) {
    throw new RangeError('amendmentsCloseAt: times must be whole milliseconds');
  }
  if (closesAtMs < openedAtMs) throw new RangeError('amendmentsCloseAt: closesAt is before the opening');
  return openedAtMs + Number(floorScaled(amendingShare, closesAtMs - openedAtMs));
}
