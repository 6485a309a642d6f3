// SPEC §5.1 — numbering the eligible members of a huge circle without a JS string or Map entry
// per member: the ids stay in the few newline-separated texts PostgreSQL aggregated them into,
// and an open-addressing hash table of Int32Arrays maps an id (a line of such a text) to its
// index. Pure: no I/O. Used by the bulk tally loader (tally-loader.ts).
import type { MemberIds } from './domain/tally';

const EMPTY = -1;

/**
 * FNV-1a over at most 16 UTF-16 code units of text[start, end) (the first and last 8) and the
 * length: member ids are thumbprints, random in every position, so this spreads them as well as
 * hashing every unit, for a third of the work. Any id hashes; only speed depends on the spread.
 */
function hashOf(text: string, start: number, end: number): number {
  let h = Math.imul(0x811c9dc5 ^ (end - start), 0x01000193);
  const head = Math.min(end, start + 8);
  for (let p = start; p < head; p++) h = Math.imul(h ^ text.charCodeAt(p), 0x01000193);
  for (let p = Math.max(head, end - 8); p < end; p++) h = Math.imul(h ^ text.charCodeAt(p), 0x01000193);
  return h;
}

/** Number of lines of a newline-separated list ('' has none; a trailing newline is not expected). */
export function countLines(text: string): number {
  if (text === '') return 0;
  let lines = 1;
  for (let p = text.indexOf('\n'); p !== -1; p = text.indexOf('\n', p + 1)) lines++;
  return lines;
}

/**
 * Distinct member ids, numbered 0.. in the order first added. Lines are given as (text, start,
 * end) so that no substring is made; `at` makes one on demand (tallyArrays asks only for the
 * members of cycles).
 */
export class MemberIndex implements MemberIds {
  private readonly texts: string[] = [];
  /** Per member: text number, start, end (one cache line holds a member's three). */
  private readonly where: Int32Array;
  /** Open addressing, two cells per slot: the hash, then the member index (EMPTY: free slot). */
  private readonly slots: Int32Array;
  private readonly mask: number;
  private size = 0;

  /** `capacity`: at most this many distinct ids will be added. */
  constructor(readonly capacity: number) {
    this.where = new Int32Array(3 * capacity);
    let slots = 16;
    while (slots < 2 * capacity) slots *= 2;
    this.slots = new Int32Array(2 * slots).fill(EMPTY);
    this.mask = slots - 1;
  }

  get length(): number {
    return this.size;
  }

  /** Adds every line of a newline-separated list of ids; a line already present is skipped. */
  addLines(text: string): void {
    if (text === '') return;
    const t = this.texts.length;
    this.texts.push(text);
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      const end = nl === -1 ? text.length : nl;
      const slot = this.find(text, start, end);
      if (this.slots[slot + 1] === EMPTY) {
        const i = this.size;
        if (i === this.capacity) throw new RangeError(`MemberIndex: more than ${this.capacity} ids`);
        this.slots[slot] = hashOf(text, start, end);
        this.slots[slot + 1] = i;
        this.where[3 * i] = t;
        this.where[3 * i + 1] = start;
        this.where[3 * i + 2] = end;
        this.size = i + 1;
      }
      if (nl === -1) return;
      start = nl + 1;
    }
  }

  /** Index of the id text[start, end), or -1. */
  indexOf(text: string, start: number, end: number): number {
    return this.slots[this.find(text, start, end) + 1];
  }

  /** The slot (cell offset) holding the id, or the free one where it would go. */
  private find(text: string, start: number, end: number): number {
    const h = hashOf(text, start, end);
    const { slots, mask } = this;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const i = slots[2 * s + 1];
      if (i === EMPTY || (slots[2 * s] === h && this.equals(i, text, start, end))) return 2 * s;
    }
  }

  private equals(i: number, text: string, start: number, end: number): boolean {
    const s = this.where[3 * i + 1];
    const length = end - start;
    if (this.where[3 * i + 2] - s !== length) return false;
    const own = this.texts[this.where[3 * i]];
    for (let k = length - 1; k >= 0; k--) if (own.charCodeAt(s + k) !== text.charCodeAt(start + k)) return false;
    return true;
  }

  at(index: number): string | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) return undefined;
    return this.texts[this.where[3 * index]].slice(this.where[3 * index + 1], this.where[3 * index + 2]);
  }
}
