import { createHash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import { formatWitnessKey } from '../../../src/core/formats/cosignature';
import { parsePolicy, satisfies, thresholdPolicy } from '../../../src/core/formats/witness-policy';

const pub = (label: string) => ed25519.getPublicKey(createHash('sha256').update(label).digest());
const hexKey = (label: string) => Buffer.from(pub(label)).toString('hex');

describe('Sigsum policy format', () => {
  const text = [
    '# two of three, and X always',
    `witness A ${hexKey('a')} http://127.0.0.1:1/witness`,
    `witness B ${formatWitnessKey('b.example/w', pub('b'))}`,
    `witness C ${hexKey('c')}`,
    `witness X ${hexKey('x')}`,
    'group ABC 2 A B C',
    'group ALL all ABC X',
    'quorum ALL',
  ].join('\n');

  it('parses witnesses (hex or vkey), groups and the quorum', () => {
    const p = parsePolicy(text);
    expect(p.witnesses.map((w) => [w.name, w.key.name, w.url])).toEqual([
      ['A', 'A', 'http://127.0.0.1:1/witness'],
      ['B', 'b.example/w', null],
      ['C', 'C', null],
      ['X', 'X', null],
    ]);
    expect(p.quorum).toBe('ALL');
  });

  it('nested groups: k-of-n inside all', () => {
    const p = parsePolicy(text);
    expect(satisfies(p, new Set(['A', 'B', 'X']))).toBe(true);
    expect(satisfies(p, new Set(['A', 'C', 'X']))).toBe(true);
    expect(satisfies(p, new Set(['A', 'B', 'C']))).toBe(false);
    expect(satisfies(p, new Set(['A', 'X']))).toBe(false);
  });

  it('any, and quorum none', () => {
    const any = parsePolicy(`witness A ${hexKey('a')}\nwitness B ${hexKey('b')}\ngroup G any A B\nquorum G\n`);
    expect(satisfies(any, new Set(['B']))).toBe(true);
    expect(satisfies(any, new Set())).toBe(false);
    expect(satisfies(parsePolicy('quorum none'), new Set())).toBe(true);
  });

  it.each([
    ['unknown keyword', 'wittness A 00\nquorum none', /unknown keyword/],
    ['member not defined above', `group G 1 A\nquorum G`, /not defined/],
    ['threshold too high', `witness A ${hexKey('a')}\ngroup G 2 A\nquorum G`, /threshold/],
    ['name twice', `witness A ${hexKey('a')}\nwitness A ${hexKey('b')}\nquorum A`, /twice/],
    ['no quorum', `witness A ${hexKey('a')}`, /no quorum/],
    ['bad key', 'witness A zz\nquorum A', /line 1/],
    ['bad url', `witness A ${hexKey('a')} ftp://x\nquorum A`, /URL/],
  ])('refuses %s', (_, policy, message) => {
    expect(() => parsePolicy(policy)).toThrow(message);
  });

  it('threshold policies for the verifier', () => {
    const ws = parsePolicy(text).witnesses;
    const two = thresholdPolicy(ws.slice(0, 3), 2);
    expect(satisfies(two, new Set(['A']))).toBe(false);
    expect(satisfies(two, new Set(['A', 'C']))).toBe(true);
    expect(() => thresholdPolicy(ws, 5)).toThrow();
  });
});
