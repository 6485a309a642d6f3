// SPEC §5.3, §6 — the regimes and the seven flat parameters of a circle.
// Values are kept exactly as written in JSON (a number or a string) so that a
// frozen copy re-serializes to the same bytes; they are read as exact ratios
// only where compared (see fraction.ts).
import { DEFAULT_PARAMS, isParamName, type ParamName, type Params, PARAM_NAMES } from '../formats/vocabulary';
import { isUnitRatio, parseRatio, type Ratio } from './fraction';

export { DEFAULT_PARAMS, isParamName, isRegimeName, PARAM_NAMES, REGIMES } from '../formats/vocabulary';
export type { ParamName, Params, ParamValue, RegimeName } from '../formats/vocabulary';

export type ParamsValidation =
  | { ok: true; params: Partial<Params> }
  | { ok: false; field: string; message: string };

/**
 * Checks a `params` object from a statement body: a plain object whose names
 * are among the seven and whose values are ratios in [0, 1]. `field` is
 * "params" when the object itself is at fault, else "params.<name>".
 */
export function validateParams(input: unknown): ParamsValidation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, field: 'params', message: 'params must be a JSON object' };
  }
  const params: Partial<Params> = {};
  for (const [name, value] of Object.entries(input)) {
    if (!isParamName(name)) {
      return { ok: false, field: `params.${name}`, message: `unknown parameter "${name}"` };
    }
    if (typeof value !== 'number' && typeof value !== 'string') {
      return { ok: false, field: `params.${name}`, message: `${name} must be a number or a fraction string` };
    }
    const r = parseRatio(value);
    if (r === null) {
      return { ok: false, field: `params.${name}`, message: `${name} must be a decimal or a fraction "a/b"` };
    }
    if (!isUnitRatio(r)) {
      return { ok: false, field: `params.${name}`, message: `${name} must be between 0 and 1` };
    }
    params[name] = value;
  }
  return { ok: true, params };
}

/** All seven names: the circle's values over the defaults, as frozen into a proposal. */
export function freezeParams(circleParams: Partial<Params>): Params {
  const frozen = {} as Params;
  for (const name of PARAM_NAMES) frozen[name] = circleParams[name] ?? DEFAULT_PARAMS[name];
  return frozen;
}

/** A `regime` proposal's params merged over the circle's current ones (§5.3). */
export function mergeParams(current: Partial<Params>, override: Partial<Params>): Partial<Params> {
  const merged: Partial<Params> = {};
  for (const name of PARAM_NAMES) {
    const value = override[name] ?? current[name];
    if (value !== undefined) merged[name] = value;
  }
  return merged;
}

/** The exact value of one parameter; throws if it is not a ratio in [0, 1]. */
export function paramRatio(params: Partial<Params>, name: ParamName): Ratio {
  const value = params[name] ?? DEFAULT_PARAMS[name];
  const r = parseRatio(value);
  if (r === null || !isUnitRatio(r)) throw new RangeError(`parameter ${name} is not a ratio in [0, 1]: ${String(value)}`);
  return r;
}
