// SPEC §5.3 — exact rationals for governance parameters.
// Parameters are "the exact decimal written (0.1 is 1/10) or a fraction string
// such as "1/3", never a binary float": every threshold is compared with
// integer arithmetic on BigInt numerators and denominators.

/** A non-negative rational num/den, always reduced, den > 0. */
export interface Ratio {
  readonly num: bigint;
  readonly den: bigint;
}

const FRACTION = /^(\d+)\/(\d+)$/;
const DECIMAL = /^(\d+)(?:\.(\d+))?$/;
// Only for the shortest form of a JS number: String(1e-7) === "1e-7".
const NUMBER_TEXT = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/;

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Builds a reduced ratio; throws on a negative value or a zero denominator. */
export function ratio(num: bigint | number, den: bigint | number = 1n): Ratio {
  const n = toBigInt(num);
  const d = toBigInt(den);
  if (d <= 0n) throw new RangeError('ratio: denominator must be positive');
  if (n < 0n) throw new RangeError('ratio: value must be non-negative');
  const g = gcd(n, d) || 1n;
  return Object.freeze({ num: n / g, den: d / g });
}

function fromDecimalParts(intPart: string, fracPart = '', exponent = 0): Ratio {
  // digits · 10^(exponent − fraction length), kept as an integer fraction.
  const digits = BigInt(intPart + fracPart);
  const shift = exponent - fracPart.length;
  return shift >= 0 ? ratio(digits * 10n ** BigInt(shift), 1n) : ratio(digits, 10n ** BigInt(-shift));
}

/**
 * Reads a parameter value as written in JSON: a number (taken through its
 * shortest decimal form, so 0.1 is exactly 1/10 and 1e-7 is 1/10^7), a
 * fraction string "a/b" (non-negative integers, b > 0) or a decimal string
 * "0.25". Anything else — negative, NaN, infinite, other text — gives null.
 */
export function parseRatio(value: unknown): Ratio | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return null;
    const m = NUMBER_TEXT.exec(String(value));
    if (!m) return null;
    return fromDecimalParts(m[1], m[2] ?? '', m[3] === undefined ? 0 : Number(m[3]));
  }
  if (typeof value === 'string') {
    const f = FRACTION.exec(value);
    if (f) {
      const den = BigInt(f[2]);
      return den === 0n ? null : ratio(BigInt(f[1]), den);
    }
    const d = DECIMAL.exec(value);
    if (d) return fromDecimalParts(d[1], d[2] ?? '');
  }
  return null;
}

function toBigInt(x: bigint | number): bigint {
  if (typeof x === 'bigint') return x;
  if (!Number.isSafeInteger(x)) throw new RangeError(`not a safe integer: ${x}`);
  return BigInt(x);
}

/** Sign of a − r·b, computed as a·den − num·b. */
export function compareScaled(a: bigint | number, r: Ratio, b: bigint | number): -1 | 0 | 1 {
  const diff = toBigInt(a) * r.den - r.num * toBigInt(b);
  return diff < 0n ? -1 : diff > 0n ? 1 : 0;
}

/** a ≥ r·b */
export function atLeastScaled(a: bigint | number, r: Ratio, b: bigint | number): boolean {
  return compareScaled(a, r, b) >= 0;
}

/** a < r·b */
export function lessThanScaled(a: bigint | number, r: Ratio, b: bigint | number): boolean {
  return compareScaled(a, r, b) < 0;
}

/** ⌊r·n⌋ for n ≥ 0. */
export function floorScaled(r: Ratio, n: bigint | number): bigint {
  const b = toBigInt(n);
  if (b < 0n) throw new RangeError('floorScaled: n must be non-negative');
  return (r.num * b) / r.den; // BigInt division truncates, which is floor for non-negatives
}

/** Sign of x − y. */
export function compareRatios(x: Ratio, y: Ratio): -1 | 0 | 1 {
  const diff = x.num * y.den - y.num * x.den;
  return diff < 0n ? -1 : diff > 0n ? 1 : 0;
}

/** 0 ≤ r ≤ 1 */
export function isUnitRatio(r: Ratio): boolean {
  return r.num <= r.den;
}

/** "num/den", for messages and logs. */
export function formatRatio(r: Ratio): string {
  return `${r.num}/${r.den}`;
}
