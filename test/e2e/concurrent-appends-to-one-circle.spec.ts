// 200 concurrent appends to one circle: seq contiguous, every proof valid, no unintended error.
import { base64url } from '../../src/core/formats/canonical-json';
import { decodeEntryLine } from '../../src/core/formats/entry';
import { rootFromLeafHashes, verifyInclusion } from '../../src/core/formats/merkle';
import { StatementSigner } from '../../src/core/formats/statement-signer';
import { startTestApp, TestApp } from '../support/app';
import { ApiClient } from '../support/client';

describe('a hot circle', () => {
  let t: TestApp;
  let api: ApiClient;

  beforeAll(async () => {
    t = await startTestApp();
    api = new ApiClient(t.url);
  });
  afterAll(() => t.close());

  it('takes 200 concurrent appends with contiguous seqs and valid proofs', async () => {
    const alice = await api.register('Alice');
    const circle = await api.circle(alice, 'Hot');
    const invitees = await Promise.all(Array.from({ length: 100 }, (_, i) => api.register(`M${i}`)));
    // 100 invitations and 100 duplicate invitations of the same members, all at once: exactly one
    // of each pair may succeed (ALREADY_MEMBER never applies here, invitations are idempotent state).
    const statements = invitees.flatMap((m: StatementSigner) => [
      alice.sign('member.invite', circle, { member: m.id }),
      alice.sign('member.invite', circle, { member: m.id }),
    ]);
    const answers = await Promise.all(statements.map((jws) => api.postJws(jws)));
    expect(answers.map((a) => a.status)).toEqual(statements.map(() => 201));

    const seqs = answers.map((a) => a.body.seq as number).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));

    const log = (await api.get(`/api/v1/circles/${circle}/log`)).text.split('\n').filter(Boolean);
    expect(log).toHaveLength(201);
    const leaves = log.map((line, i) => {
      const d = decodeEntryLine(line);
      if (!d.ok) throw new Error(d.reason);
      expect(d.entry.seq).toBe(i);
      return d.leaf;
    });
    const root = rootFromLeafHashes(leaves);
    const checkpoint = (await api.get(`/api/v1/circles/${circle}/checkpoint`)).text.split('\n');
    expect(checkpoint[1]).toBe('201');
    expect(Buffer.from(checkpoint[2], 'base64').equals(Buffer.from(root))).toBe(true);
    for (const a of answers) {
      const seq = a.body.seq as number;
      expect(a.body.leaf).toBe(base64url(leaves[seq]));
      const proof = await api.get<{ path: string[] }>(`/api/v1/circles/${circle}/proof/inclusion?seq=${seq}&size=201`);
      expect(verifyInclusion(leaves[seq], seq, 201, proof.body.path.map((p) => Buffer.from(p, 'base64url')), root)).toBe(true);
    }
  });
});
