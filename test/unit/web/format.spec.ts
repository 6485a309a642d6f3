import { countdown, formatCountdown, percentOf, shortId, thresholdOf } from '../../../src/web/lib/format';
import { query } from '../../../src/web/lib/api';

describe('web formatting', () => {
  const NOW = Date.parse('2026-12-05T10:00:00.000Z');
  it('counts down to a moment, and says when it has passed', () => {
    expect(formatCountdown(countdown('2026-12-05T10:00:05.900Z', NOW))).toBe('00:05');
    expect(formatCountdown(countdown('2026-12-05T11:02:03.000Z', NOW))).toBe('01:02:03');
    expect(formatCountdown(countdown('2026-12-07T10:00:01.000Z', NOW))).toBe('2 d 00:00:01');
    expect(countdown('2026-12-05T09:59:00.000Z', NOW).future).toBe(false);
  });

  it('shortens ids', () => {
    expect(shortId('abcdefghijklmnop')).toBe('abcdefgh…');
    expect(shortId('abc')).toBe('abc');
  });

  it('places the regime’s threshold from the frozen parameters (SPEC §5.3)', () => {
    expect(thresholdOf('motion', 'unanimity', {}, 10)).toEqual({ measure: 'Y+A', value: 10, param: 'unanimityQuorum' });
    expect(thresholdOf('motion', 'do-ocracy', { objectionShare: '1/4' }, 8)).toEqual({ measure: 'O', value: 2, param: 'objectionShare' });
    expect(thresholdOf('motion', 'amendment', {}, 10).value).toBeCloseTo(2);
    expect(thresholdOf('amendment', 'amendment', {}, 10)).toMatchObject({ param: 'amendmentQuorum', value: 1 });
    expect(thresholdOf('motion', 'split', {}, 9, 4, 5).value).toBeCloseTo(3);
    expect(thresholdOf('split', 'amendment', {}, 9).measure).toBe('none');
    expect(percentOf({ splitShare: '1/3' }, 'splitShare')).toBe('33.3 %');
    expect(percentOf({}, 'majorityQuorum')).toBe('20 %');
  });

  it('builds query strings, leaving out empty values', () => {
    expect(query({ status: 'open', limit: 5, after: undefined, kind: '' })).toBe('?status=open&limit=5');
    expect(query({})).toBe('');
  });
});
