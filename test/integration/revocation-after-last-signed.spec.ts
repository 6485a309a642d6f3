// SPEC §11, the writer's millisecond rule: it never appends a revocation (or a recovery key's
// replacement) with a recordedAt at or before that of an entry already signed by the key it
// revokes. With the instance's clock held still, the key's statement and its revocation fall in
// the same clock millisecond: the revocation must be recorded one millisecond later, and the
// registry log must then verify.
import { Clock } from '../../src/common/clock';
import { formatTimestamp } from '../../src/core/formats/canonical-json';
import { StatementSigner } from '../../src/core/formats/statement-signer';
import { LogVerifier, REGISTRY } from '../../src/core/verify/verify-log';
import { startTestApp, TestApp } from '../support/app';
import { ApiClient } from '../support/client';

jest.setTimeout(60_000);

describe('a revocation in the clock millisecond of an entry its key signed', () => {
  let t: TestApp;
  let api: ApiClient;
  let clock: Clock;

  beforeAll(async () => {
    t = await startTestApp();
    api = new ApiClient(t.url);
    clock = t.app.get(Clock);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => t.close());

  /** From now on the instance's clock reads one millisecond, a little after every entry so far. */
  function holdClock(): number {
    const held = Date.now() + 5;
    jest.spyOn(clock, 'now').mockReturnValue(held);
    return held;
  }

  const recordedAtOf = async (circle: string | null, seq: number): Promise<string> => {
    const path = circle === null ? '/api/v1/registry/log' : `/api/v1/circles/${circle}/log`;
    const lines = (await api.get(path)).text.trim().split('\n');
    return (JSON.parse(lines[seq]) as { recordedAt: string }).recordedAt;
  };

  it('records the revocation of a key one millisecond after the circle entry it signed', async () => {
    const ada = StatementSigner.generate();
    const laptop = StatementSigner.generate();
    await api.act(ada, 'member.register', null, { name: 'Ada' });
    await api.act(ada, 'member.key.add', null, { member: ada.id, jwk: laptop.publicJwk });

    const held = holdClock();
    const created = await api.act(ada, 'circle.create', null, { name: 'Orchard', regime: 'do-ocracy' });
    expect(await recordedAtOf(created.circle, created.seq)).toBe(formatTimestamp(held));
    const revoked = await api.act(laptop, 'member.key.revoke', null, { member: ada.id, key: ada.id });
    expect(clock.now()).toBe(held);
    expect(await recordedAtOf(null, revoked.seq)).toBe(formatTimestamp(held + 1));
  });

  it('records the revocation of a key one millisecond after the registry entry it signed', async () => {
    const bea = StatementSigner.generate();
    const laptop = StatementSigner.generate();
    await api.act(bea, 'member.register', null, { name: 'Bea' });
    await api.act(bea, 'member.key.add', null, { member: bea.id, jwk: laptop.publicJwk });

    const held = holdClock();
    const added = await api.act(bea, 'member.key.add', null, { member: bea.id, jwk: StatementSigner.generate().publicJwk });
    expect(await recordedAtOf(null, added.seq)).toBe(formatTimestamp(held));
    const revoked = await api.act(laptop, 'member.key.revoke', null, { member: bea.id, key: bea.id });
    expect(await recordedAtOf(null, revoked.seq)).toBe(formatTimestamp(held + 1));
  });

  it('records the replacement of a recovery key one millisecond after the registry entry it signed', async () => {
    const cat = StatementSigner.generate();
    const words = StatementSigner.generate();
    await api.act(cat, 'member.register', null, { name: 'Cat', recovery: words.publicJwk });

    const held = holdClock();
    const phone = StatementSigner.generate();
    const added = await api.act(words, 'member.key.add', null, { member: cat.id, jwk: phone.publicJwk });
    expect(await recordedAtOf(null, added.seq)).toBe(formatTimestamp(held));
    const replaced = await api.act(phone, 'member.recovery.set', null, { member: cat.id, jwk: StatementSigner.generate().publicJwk });
    expect(await recordedAtOf(null, replaced.seq)).toBe(formatTimestamp(held + 1));
  });

  it('leaves a registry log that verifies', async () => {
    const verifier = new LogVerifier({ circle: REGISTRY });
    for (const line of (await api.get('/api/v1/registry/log')).text.trim().split('\n')) verifier.push(line);
    expect(verifier.finish().size).toBeGreaterThanOrEqual(9);
  });
});
