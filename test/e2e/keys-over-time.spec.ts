// SPEC §11 over HTTP: a member moves to a new key and keeps her delegations, votes and
// memberships; her own delegation and regime position signed by a key revoked since still count;
// a vote signed by a revoked key is refused after the revocation and still verifies before it;
// the recovery key signs key additions and revocations and nothing else; every key
// change's refusals; the member and key routes; `archipel verify` accepts every log.
import { formatTimestamp } from '../../src/core/formats/canonical-json';
import { StatementSigner } from '../../src/core/formats/statement-signer';
import { eventually, startTestApp, TestApp } from '../support/app';
import { archipel } from '../support/cli';
import { ApiClient } from '../support/client';

jest.setTimeout(120_000);

describe('keys over time (SPEC §11)', () => {
  let t: TestApp;
  let api: ApiClient;
  let alice: StatementSigner;
  let recovery: StatementSigner;
  let laptop: StatementSigner;
  let bob: StatementSigner;
  let circle: string;
  let proposal: string;

  beforeAll(async () => {
    t = await startTestApp({ worker: true, env: { MIN_PROPOSAL_WINDOW_SECONDS: '1' } });
    api = new ApiClient(t.url);
    alice = StatementSigner.generate();
    recovery = StatementSigner.generate();
    laptop = StatementSigner.generate();
    await api.act(alice, 'member.register', null, { name: 'Alice', recovery: recovery.publicJwk });
    bob = await api.register('Bob');
    circle = await api.circle(alice, 'Allotments', { members: [bob], regime: 'amendment' });
  });
  afterAll(() => t.close());

  const refusal = async (signer: StatementSigner, ...args: Parameters<StatementSigner['sign']>) => {
    const answer = await api.postJws(signer.sign(...args));
    return { status: answer.status, ...(answer.body as { code?: string; field?: string; message?: string }) };
  };

  it('registers her recovery key with her, and answers whose a key is', async () => {
    const member = await api.get<Record<string, unknown>>(`/api/v1/members/${alice.id}`);
    expect(member.status).toBe(200);
    expect(member.body).toEqual({
      id: alice.id,
      name: 'Alice',
      jwk: alice.publicJwk,
      keys: [{ kid: alice.id, jwk: alice.publicJwk, addedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) }],
      recovery: recovery.publicJwk,
    });
    expect((await api.get(`/api/v1/keys/${alice.id}`)).body).toEqual({ kid: alice.id, member: alice.id });
    expect((await api.get(`/api/v1/keys/${recovery.id}`)).body).toEqual({ kid: recovery.id, member: alice.id });
    const unknown = await api.get(`/api/v1/keys/${laptop.id}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'UNKNOWN_KEY' });
    expect((await api.get('/api/v1/keys/not-a-key')).status).toBe(404);
  });

  it('refuses a registration whose key or recovery key is already someone else\'s', async () => {
    const withTakenRecovery = await refusal(StatementSigner.generate(), 'member.register', null, { name: 'Eve', recovery: recovery.publicJwk });
    expect(withTakenRecovery).toMatchObject({ status: 409, code: 'KEY_IN_USE', field: 'body.recovery' });
    const recoveryRegistering = await refusal(recovery, 'member.register', null, { name: 'Eve' });
    expect(recoveryRegistering).toMatchObject({ status: 409, code: 'KEY_IN_USE' });
    const self = StatementSigner.generate();
    expect(await refusal(self, 'member.register', null, { name: 'Eve', recovery: self.publicJwk })).toMatchObject({ status: 409, code: 'KEY_IN_USE' });
  });

  it('keeps her delegations, votes and memberships when she moves to a new key', async () => {
    const opened = await api.act(alice, 'proposal.open', circle, {
      kind: 'regime',
      title: 'Unanimity for the allotments',
      text: 'We decide by unanimity.',
      closesAt: formatTimestamp(Date.now() + 6_000),
      regime: 'unanimity',
      params: {},
    });
    proposal = opened.id as string;
    await api.act(bob, 'delegation.set', circle, { to: alice.id, scope: { circle: true } });
    const before = await api.act(alice, 'vote.cast', circle, { proposal, choice: 'yes' });
    expect(before.seq).toBeGreaterThan(0);

    // A second device, then the first key revoked from it.
    await api.act(alice, 'member.key.add', null, { member: alice.id, jwk: laptop.publicJwk });
    expect((await api.get(`/api/v1/keys/${laptop.id}`)).body).toEqual({ kid: laptop.id, member: alice.id });
    const revoked = await api.act(laptop, 'member.key.revoke', null, { member: alice.id, key: alice.id });
    expect(revoked.circle).toBe('registry');

    // The old key signs nothing any more, in any log.
    expect(await refusal(alice, 'vote.cast', circle, { proposal, choice: 'no' })).toMatchObject({ status: 403, code: 'KEY_REVOKED', field: 'kid' });
    expect(await refusal(alice, 'member.key.add', null, { member: alice.id, jwk: StatementSigner.generate().publicJwk })).toMatchObject({ status: 403, code: 'KEY_REVOKED' });

    // Her vote stands, and Bob's delegation to her still counts: the new key speaks for the same member.
    const during = await api.get<{ provisional: Record<string, number> }>(`/api/v1/proposals/${proposal}`);
    expect(during.body.provisional).toMatchObject({ E: 2, Y: 2, N: 0 });
    await api.act(laptop, 'vote.cast', circle, { proposal, choice: 'no' }); // her last vote, with her new key
    const now = await api.get<{ provisional: Record<string, number> }>(`/api/v1/proposals/${proposal}`);
    expect(now.body.provisional).toMatchObject({ E: 2, Y: 0, N: 2 });

    // Still a member: she invites with her new key; the circle lists her by her member id.
    const carol = await api.register('Carol');
    await api.act(laptop, 'member.invite', circle, { member: carol.id });
    await api.act(carol, 'member.accept', circle, {});
    const state = await api.get<{ members: string[] }>(`/api/v1/circles/${circle}`);
    expect(state.body.members).toEqual(expect.arrayContaining([alice.id, bob.id, carol.id]));
    expect(state.body.members).not.toContain(laptop.id);

    const closed = await eventually(async () => {
      const r = await api.get<{ status: string; result?: { outcome: string; totals: Record<string, number> } }>(`/api/v1/proposals/${proposal}`);
      return r.body.status === 'closed' ? r.body : null;
    }, 30_000, 'the tally');
    expect(closed.result?.totals).toMatchObject({ E: 2, Y: 0, N: 2 });
  });

  it('keeps counting her own delegation and regime position signed by a key she revoked since', async () => {
    const erin = await api.register('Erin');
    const tablet = StatementSigner.generate();
    const phone = StatementSigner.generate();
    const frank = await api.register('Frank');
    const gus = await api.register('Gus');
    const orchard = await api.circle(frank, 'Orchard', { members: [erin, gus], regime: 'amendment' });
    // With her tablet's key (not her member id: whatever is counted must be counted for her, not
    // for the key), a delegation to Frank for the topic "trees" and her place on the cursor.
    await api.act(erin, 'member.key.add', null, { member: erin.id, jwk: tablet.publicJwk });
    await api.act(tablet, 'delegation.set', orchard, { to: frank.id, scope: { topic: 'trees' } });
    await api.act(tablet, 'regime.position', orchard, { position: 'unanimity' });
    // Then she moves to her phone and revokes the tablet's key and her first one.
    await api.act(tablet, 'member.key.add', null, { member: erin.id, jwk: phone.publicJwk });
    await api.act(phone, 'member.key.revoke', null, { member: erin.id, key: tablet.id });
    await api.act(phone, 'member.key.revoke', null, { member: erin.id, key: erin.id });
    expect(await refusal(tablet, 'regime.position', orchard, { position: 'split' })).toMatchObject({ status: 403, code: 'KEY_REVOKED' });

    // Her position still counts: with Gus's, 2 of 3 cast (cursorQuorum 1/2), and the cursor moves.
    await api.act(gus, 'regime.position', orchard, { position: 'unanimity' });
    const changed = await eventually(async () => {
      const lines = (await api.get(`/api/v1/circles/${orchard}/log`)).text.trim().split('\n');
      const payloads = lines.map((l) => JSON.parse(Buffer.from((JSON.parse(l) as { jws: string }).jws.split('.')[1], 'base64url').toString()) as { type: string; body: unknown });
      return payloads.find((p) => p.type === 'regime.changed')?.body;
    }, 20_000, 'regime.changed');
    expect(changed).toEqual({ from: 'amendment', to: 'unanimity', weights: { unanimity: 2, 'do-ocracy': 0, amendment: 0, split: 0 }, cast: 2, E: 3 });
    expect((await api.get<{ regime: string }>(`/api/v1/circles/${orchard}`)).body.regime).toBe('unanimity');

    // Her delegation still carries her weight: Frank's yes on a "trees" proposal counts twice.
    const { id: trees } = await api.act(frank, 'proposal.open', orchard, {
      kind: 'motion',
      title: 'Plant apple trees',
      text: 'Six apple trees along the fence.',
      topic: 'trees',
      closesAt: formatTimestamp(Date.now() + 60_000),
    });
    await api.act(frank, 'vote.cast', orchard, { proposal: trees as string, choice: 'yes' });
    const tally = await api.get<{ provisional: Record<string, number> }>(`/api/v1/proposals/${trees}`);
    expect(tally.body.provisional).toMatchObject({ E: 3, Y: 2, N: 0, absent: 1 });
    const graph = await api.get<{ proposal: Record<string, unknown> }>(`/api/v1/circles/${orchard}/delegations?proposal=${trees}`);
    expect(graph.body.proposal).toMatchObject({ E: 3, weights: [{ member: frank.id, weight: 2 }], lost: 0, absent: 1 });

    // And the log, her position by the revoked key included, verifies and recomputes the move.
    const run = await archipel('verify', '--instance', t.url, '--circle', orchard);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/1 regime change recomputed and equal/);
  });

  it('lists every key that signed for her, with when it was added and revoked', async () => {
    const member = await api.get<{ keys: Array<{ kid: string; addedAt: string; revokedAt?: string }> }>(`/api/v1/members/${alice.id}`);
    expect(member.body.keys.map((k) => k.kid)).toEqual([alice.id, laptop.id]);
    const [first, second] = member.body.keys;
    expect(first.revokedAt).toBeDefined();
    expect(first.revokedAt! > first.addedAt).toBe(true);
    expect(second.revokedAt).toBeUndefined();
    expect(second.addedAt <= first.revokedAt!).toBe(true);
  });

  it('refuses a key already used by anyone, a revoked key added again, and a key revoking itself', async () => {
    expect(await refusal(laptop, 'member.key.add', null, { member: alice.id, jwk: bob.publicJwk })).toMatchObject({ status: 409, code: 'KEY_IN_USE', field: 'body.jwk' });
    expect(await refusal(laptop, 'member.key.add', null, { member: alice.id, jwk: recovery.publicJwk })).toMatchObject({ status: 409, code: 'KEY_IN_USE' });
    expect(await refusal(laptop, 'member.key.add', null, { member: alice.id, jwk: alice.publicJwk })).toMatchObject({ status: 403, code: 'KEY_REVOKED', field: 'body.jwk' });
    expect(await refusal(laptop, 'member.key.revoke', null, { member: alice.id, key: laptop.id })).toMatchObject({ status: 403, code: 'NOT_ALLOWED', field: 'body.key' });
    expect(await refusal(laptop, 'member.key.revoke', null, { member: alice.id, key: bob.id })).toMatchObject({ status: 404, code: 'UNKNOWN_KEY', field: 'body.key' });
    expect(await refusal(laptop, 'member.key.add', null, { member: bob.id, jwk: StatementSigner.generate().publicJwk })).toMatchObject({ status: 403, code: 'NOT_ALLOWED', field: 'body.member' });
    expect(await refusal(StatementSigner.generate(), 'member.key.add', null, { member: alice.id, jwk: StatementSigner.generate().publicJwk })).toMatchObject({
      status: 404,
      code: 'UNKNOWN_KEY',
      field: 'kid',
    });
  });

  it('lets the recovery key add and revoke keys, and sign nothing else', async () => {
    expect(await refusal(recovery, 'vote.cast', circle, { proposal, choice: 'yes' })).toMatchObject({ status: 403, code: 'RECOVERY_KEY_RESTRICTED', field: 'kid' });
    expect(await refusal(recovery, 'regime.position', circle, { position: 'split' })).toMatchObject({ status: 403, code: 'RECOVERY_KEY_RESTRICTED' });
    expect(await refusal(recovery, 'member.recovery.set', null, { member: alice.id, jwk: StatementSigner.generate().publicJwk })).toMatchObject({
      status: 403,
      code: 'RECOVERY_KEY_RESTRICTED',
    });

    // The laptop is lost: from her recovery words, a new key, and the laptop revoked.
    const phone = StatementSigner.generate();
    await api.act(recovery, 'member.key.add', null, { member: alice.id, jwk: phone.publicJwk });
    await api.act(recovery, 'member.key.revoke', null, { member: alice.id, key: laptop.id });
    expect(await refusal(laptop, 'regime.position', circle, { position: 'split' })).toMatchObject({ status: 403, code: 'KEY_REVOKED' });
    await api.act(phone, 'regime.position', circle, { position: 'amendment' });

    // A new recovery key, set from an active key: the old one signs nothing after it.
    const newRecovery = StatementSigner.generate();
    await api.act(phone, 'member.recovery.set', null, { member: alice.id, jwk: newRecovery.publicJwk });
    expect(await refusal(recovery, 'member.key.add', null, { member: alice.id, jwk: StatementSigner.generate().publicJwk })).toMatchObject({
      status: 403,
      code: 'KEY_REVOKED',
    });
    const member = await api.get<{ recovery: unknown; keys: Array<{ kid: string }> }>(`/api/v1/members/${alice.id}`);
    expect(member.body.recovery).toEqual(newRecovery.publicJwk);
    expect(member.body.keys.map((k) => k.kid)).toEqual([alice.id, laptop.id, phone.id]);
  });

  it('records a revocation after every entry its key signed, under concurrent statements by that key', async () => {
    const dana = await api.register('Dana');
    const tablet = StatementSigner.generate();
    await api.act(bob, 'member.invite', circle, { member: dana.id });
    await api.act(dana, 'member.accept', circle, {});
    await api.act(dana, 'member.key.add', null, { member: dana.id, jwk: tablet.publicJwk });
    const positions = ['unanimity', 'do-ocracy', 'amendment', 'split'] as const;
    const sent = Array.from({ length: 40 }, (_, i) => api.postJws(dana.sign('regime.position', circle, { position: positions[i % 4] })));
    const revocation = api.postJws(tablet.sign('member.key.revoke', null, { member: dana.id, key: dana.id }));
    const answers = await Promise.all(sent);
    expect((await revocation).status).toBe(201);
    for (const a of answers) expect([201, 403]).toContain(a.status);
    for (const a of answers.filter((x) => x.status === 403)) expect(a.body).toMatchObject({ code: 'KEY_REVOKED' });

    const lines = (await api.get(`/api/v1/circles/${circle}/log`)).text.trim().split('\n').map((l) => JSON.parse(l) as { jws: string; recordedAt: string });
    const signedByOld = lines.filter((e) => JSON.parse(Buffer.from(e.jws.split('.')[0], 'base64url').toString()).kid === dana.id);
    const member = await api.get<{ keys: Array<{ kid: string; revokedAt?: string }> }>(`/api/v1/members/${dana.id}`);
    const revokedAt = member.body.keys.find((k) => k.kid === dana.id)?.revokedAt as string;
    expect(signedByOld.length).toBeGreaterThanOrEqual(answers.filter((a) => a.status === 201).length);
    for (const e of signedByOld) expect(e.recordedAt < revokedAt).toBe(true);
  });

  it('accepts every log with archipel verify, old votes by revoked keys included', async () => {
    const run = await archipel('verify', '--instance', t.url, '--circle', circle);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/OK registry: \d+ entries/);
    expect(run.stdout).toMatch(/1 tally results? recomputed and equal/);
  });
});
