// SPEC §12.1 — trust policies in Sigsum's policy format: `witness NAME KEY [URL]`,
// `group NAME all|any|K MEMBER…`, `quorum NAME|none`, `log KEY [URL]` (read, not used here),
// `#` comments. KEY is either 64 hex digits (Sigsum's form; the cosignature key name is then
// NAME) or a cosignature/v1 vkey (name+keyid+base64(0x04 ‖ key)).
import { fromHex } from '../crypto/crypto';
import { formatWitnessKey, parseWitnessKey, WitnessKey } from './cosignature';

export type PolicyWitness = { name: string; key: WitnessKey; vkey: string; url: string | null };
type Group = { name: string; threshold: number; members: string[] };
export type WitnessPolicy = {
  witnesses: PolicyWitness[];
  groups: Group[];
  /** null: `quorum none` (no cosignature needed). */
  quorum: string | null;
};

export class PolicyError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`policy line ${line}: ${message}`);
  }
}

const NAME = /^[A-Za-z0-9._\-/:]+$/;

function parseKey(name: string, key: string): WitnessKey {
  if (/^[0-9a-fA-F]{64}$/.test(key)) return parseWitnessKey(formatWitnessKey(name, fromHex(key) as Uint8Array));
  return parseWitnessKey(key);
}

export function parsePolicy(text: string): WitnessPolicy {
  const witnesses: PolicyWitness[] = [];
  const groups: Group[] = [];
  const names = new Map<string, number>(); // name -> size of the set (1 for a witness)
  let quorum: string | null | undefined;
  text.split('\n').forEach((raw, i) => {
    const n = i + 1;
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const [keyword, ...args] = line.split(/\s+/);
    switch (keyword) {
      case 'log':
        if (args.length < 1 || args.length > 2) throw new PolicyError(n, 'expected "log KEY [URL]"');
        return;
      case 'witness': {
        if (args.length < 2 || args.length > 3) throw new PolicyError(n, 'expected "witness NAME KEY [URL]"');
        const [name, key, url] = args;
        if (!NAME.test(name)) throw new PolicyError(n, `invalid name ${name}`);
        if (names.has(name)) throw new PolicyError(n, `${name} is defined twice`);
        let parsed: WitnessKey;
        try {
          parsed = parseKey(name, key);
        } catch (e) {
          throw new PolicyError(n, (e as Error).message);
        }
        if (witnesses.some((w) => w.vkey === formatWitnessKey(parsed.name, parsed.publicKey))) throw new PolicyError(n, 'the same key is listed twice');
        if (url !== undefined && !/^https?:\/\/\S+$/.test(url)) throw new PolicyError(n, 'the URL must be http(s)');
        names.set(name, 1);
        witnesses.push({ name, key: parsed, vkey: formatWitnessKey(parsed.name, parsed.publicKey), url: url ?? null });
        return;
      }
      case 'group': {
        if (args.length < 3) throw new PolicyError(n, 'expected "group NAME all|any|K MEMBER…"');
        const [name, k, ...members] = args;
        if (!NAME.test(name)) throw new PolicyError(n, `invalid name ${name}`);
        if (names.has(name)) throw new PolicyError(n, `${name} is defined twice`);
        for (const m of members) if (!names.has(m)) throw new PolicyError(n, `${m} is not defined above`);
        if (new Set(members).size !== members.length) throw new PolicyError(n, 'a member is listed twice');
        const threshold = k === 'all' ? members.length : k === 'any' ? 1 : /^[1-9][0-9]*$/.test(k) ? Number(k) : NaN;
        if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > members.length) {
          throw new PolicyError(n, `threshold ${k} must be all, any or 1..${members.length}`);
        }
        names.set(name, members.length);
        groups.push({ name, threshold, members });
        return;
      }
      case 'quorum': {
        if (args.length !== 1) throw new PolicyError(n, 'expected "quorum NAME|none"');
        if (quorum !== undefined) throw new PolicyError(n, 'quorum is given twice');
        if (args[0] !== 'none' && !names.has(args[0])) throw new PolicyError(n, `${args[0]} is not defined above`);
        quorum = args[0] === 'none' ? null : args[0];
        return;
      }
      default:
        throw new PolicyError(n, `unknown keyword ${keyword}`);
    }
  });
  if (quorum === undefined) throw new PolicyError(0, 'no quorum line');
  return { witnesses, groups, quorum };
}

/** A policy of K among the given witnesses (what `archipel verify --witness … --quorum K` means). */
export function thresholdPolicy(witnesses: PolicyWitness[], k: number): WitnessPolicy {
  if (!Number.isSafeInteger(k) || k < 0 || k > witnesses.length) throw new RangeError(`quorum must be 0..${witnesses.length}`);
  if (k === 0) return { witnesses, groups: [], quorum: null };
  return { witnesses, groups: [{ name: '__quorum', threshold: k, members: witnesses.map((w) => w.name) }], quorum: '__quorum' };
}

/** Whether the witnesses named in `cosigned` (policy names) satisfy the policy's quorum. */
export function satisfies(policy: WitnessPolicy, cosigned: ReadonlySet<string>): boolean {
  if (policy.quorum === null) return true;
  const memo = new Map<string, boolean>();
  const holds = (name: string): boolean => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const group = policy.groups.find((g) => g.name === name);
    const value = group ? group.members.filter(holds).length >= group.threshold : cosigned.has(name);
    memo.set(name, value);
    return value;
  };
  return holds(policy.quorum);
}
