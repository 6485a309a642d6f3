import {
  DEFAULT_PARAMS,
  PARAM_NAMES,
  REGIMES,
  freezeParams,
  isRegimeName,
  mergeParams,
  paramRatio,
  validateParams,
} from '../../../src/core/governance/params';

describe('params', () => {
  it('has the seven defaults of SPEC §5.3 and §6, as written', () => {
    expect(DEFAULT_PARAMS).toStrictEqual({
      unanimityQuorum: 1,
      objectionShare: 0.1,
      majorityQuorum: 0.2,
      amendmentQuorum: 0.1,
      amendingShare: '1/2',
      splitShare: '1/3',
      cursorQuorum: '1/2',
    });
    expect(PARAM_NAMES).toHaveLength(7);
  });

  it('orders the regimes as the cursor does', () => {
    expect(REGIMES).toStrictEqual(['unanimity', 'do-ocracy', 'amendment', 'split']);
    expect(isRegimeName('do-ocracy')).toBe(true);
    expect(isRegimeName('majority')).toBe(false);
  });

  it('accepts ratios in [0, 1] and keeps them as written', () => {
    expect(validateParams({ splitShare: '2/5', objectionShare: 0.05, unanimityQuorum: 0, cursorQuorum: '1' })).toStrictEqual({
      ok: true,
      params: { splitShare: '2/5', objectionShare: 0.05, unanimityQuorum: 0, cursorQuorum: '1' },
    });
    expect(validateParams({})).toStrictEqual({ ok: true, params: {} });
  });

  it.each([
    [null, 'params'],
    [[], 'params'],
    ['0.1', 'params'],
    [{ quorum: 0.5 }, 'params.quorum'],
    [{ splitShare: 1.5 }, 'params.splitShare'],
    [{ splitShare: '3/2' }, 'params.splitShare'],
    [{ splitShare: -0.1 }, 'params.splitShare'],
    [{ splitShare: '1/0' }, 'params.splitShare'],
    [{ splitShare: 'half' }, 'params.splitShare'],
    [{ splitShare: null }, 'params.splitShare'],
    [{ splitShare: true }, 'params.splitShare'],
    [JSON.parse('{"__proto__": 0.5}'), 'params.__proto__'],
  ])('refuses %p at %s', (input, field) => {
    const v = validateParams(input);
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.field).toBe(field);
      expect(v.message).toEqual(expect.any(String));
    }
  });

  it('freezes all seven names over the defaults', () => {
    expect(freezeParams({ splitShare: '1/4' })).toStrictEqual({ ...DEFAULT_PARAMS, splitShare: '1/4' });
    expect(Object.keys(freezeParams({}))).toStrictEqual(PARAM_NAMES);
  });

  it('merges a regime proposal’s params over the circle’s', () => {
    expect(mergeParams({ splitShare: '1/4', objectionShare: 0.2 }, { objectionShare: '1/20', cursorQuorum: 1 })).toStrictEqual({
      splitShare: '1/4',
      objectionShare: '1/20',
      cursorQuorum: 1,
    });
  });

  it('reads one parameter exactly', () => {
    expect(paramRatio(freezeParams({}), 'objectionShare')).toStrictEqual({ num: 1n, den: 10n });
    expect(() => paramRatio({ splitShare: 2 }, 'splitShare')).toThrow(RangeError);
  });
});
