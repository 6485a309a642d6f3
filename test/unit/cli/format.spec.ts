import fc from 'fast-check';
import { columns, formatDuration, formatEntry, formatParams, formatTotals, parseDuration, shortId } from '../../../src/cli/format';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['45m', 2_700_000],
    ['2h', 7_200_000],
    ['3d', 259_200_000],
    ['1w', 604_800_000],
    ['1d12h', 129_600_000],
    [' 3D ', 259_200_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '3', 'd', '3x', '-3d', '1.5h', '0s', '3d 2h', 'three days', '99999999999999999w'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it('reads back what formatDuration prints for whole units', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.constantFrom('s', 'm', 'h', 'd'), (n, unit) => {
        const ms = parseDuration(`${n}${unit}`) as number;
        expect(parseDuration(formatDuration(ms).replace(' ', ''))).toBe(ms);
      }),
    );
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [-5, '0s'],
    [999, '0s'],
    [90_000, '1m 30s'],
    [259_200_000, '3d'],
    [129_600_000 + 61_000, '1d 12h'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatTotals', () => {
  const t = { E: 5, Y: 2, N: 1, A: 0, O: 0, lost: 1, absent: 1 };
  it('names the choices of the regime', () => {
    expect(formatTotals(t, 'unanimity')).toBe('yes 2 · no 1 · abstain 0 · lost 1 · absent 1 (E 5)');
    expect(formatTotals(t, 'do-ocracy')).toBe('support 2 · no 1 · abstain 0 · object 0 · lost 1 · absent 1 (E 5)');
    expect(formatTotals(t, 'split')).toBe('leave 2 · stay 1 · abstain 0 · lost 1 · absent 1 (E 5)');
  });
  it('leaves out lost and absent when not given', () => {
    expect(formatTotals({ E: 1, Y: 1, N: 0, A: 0, O: 0 }, 'amendment')).toBe('yes 1 · no 0 · abstain 0 (E 1)');
  });
});

describe('readable output', () => {
  it('shortens long ids only', () => {
    expect(shortId('Q7c2abcdefghijklmnopqr')).toBe('Q7c2abcd…');
    expect(shortId('registry')).toBe('registry');
  });
  it('lists params in name order', () => {
    expect(formatParams({ objectionShare: '1/5', cursorQuorum: '0.5' })).toBe('cursorQuorum=0.5, objectionShare=1/5');
    expect(formatParams({})).toBe('defaults');
  });
  it('aligns columns and trims the last one', () => {
    expect(columns([['A', 'BB', 'C'], ['long', 'x', 'y']])).toBe('A     BB  C\nlong  x   y\n');
  });
  it('prints an entry as one line with the signer by name', () => {
    const line = formatEntry(
      { seq: 5, recordedAt: '2026-12-05T10:31:02.123Z', type: 'vote.cast', signer: 'k', body: { proposal: 'Q7c2abcdefghijklmnopqr', choice: 'yes' } },
      () => 'Alice',
    );
    expect(line).toBe('#5 2026-12-05 10:31:02 vote.cast         Alice voted yes on Q7c2abcd…');
    const tally = formatEntry({
      seq: 6,
      recordedAt: '2026-12-05T10:31:09.000Z',
      type: 'tally.result',
      signer: 'i',
      body: { proposal: 'P', regime: 'unanimity', outcome: 'adopted', totals: { E: 2, Y: 2, N: 0, A: 0, O: 0 }, lost: { weight: 0, cycles: [] }, absent: 0 },
    });
    expect(tally).toContain('tally of P: adopted — yes 2 · no 0 · abstain 0 · lost 0 · absent 0 (E 2)');
  });
});
