// Defence in depth below the API (docs/operations.md#database-roles, #the-instance-key,
// #self-audit): the service's database role cannot rewrite history or touch the instance key, the
// private key lives in a 0600 file, and a log altered behind the service's back (as the superuser,
// in this test's own database) is frozen: appends refused with LOG_FROZEN, reads still served, an
// alert in /health, never a 500, and the other logs go on.
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { base64url, formatTimestamp } from '../../src/core/formats/canonical-json';
import { encodeEntry } from '../../src/core/formats/entry';
import { appendLeaves, frontierKeys, mapGetter, nodeHash, verifyInclusion } from '../../src/core/formats/merkle';
import { parseCompact } from '../../src/core/formats/statement';
import { StatementSigner } from '../../src/core/formats/statement-signer';
import { FederationOutbound } from '../../src/federation/federation-outbound';
import { LogAuditor } from '../../src/ledger/log-auditor';
import { startTestApp, TestApp } from '../support/app';
import { ApiClient } from '../support/client';
import { describeWithServer } from '../support/database-urls';
import { behindTheBack, sql } from '../support/database';

describeWithServer('defence in depth', () => {
  let t: TestApp;
  let api: ApiClient;
  let alice: StatementSigner;

  beforeAll(async () => {
    t = await startTestApp();
    api = new ApiClient(t.url);
    alice = await api.register('Alice');
  });
  afterAll(() => t.close());

  /** A circle of Alice's with a few entries and a signed checkpoint. */
  async function circle(name: string): Promise<string> {
    const id = await api.circle(alice, name);
    for (let i = 0; i < 3; i++) await api.act(alice, 'member.invite', id, { member: (await api.register(`M${i}${name}`)).id });
    expect((await api.get(`/api/v1/circles/${id}/checkpoint`)).status).toBe(200);
    return id;
  }

  /** As an intruder would: a well-formed entry for `jws` at the end of the log, with its Merkle nodes and head. */
  async function appendBehindTheBack(circle: string, jws: string, signer: string): Promise<void> {
    const [head] = await sql<{ size: string; last_leaf: Buffer; last_recorded_at: Date }>(t.db.url, `SELECT size, last_leaf, last_recorded_at FROM log_head WHERE circle = $1`, [circle]);
    const size = Number(head.size);
    const frontier = await sql<{ level: number; idx: string; hash: Buffer }>(
      t.db.url,
      `SELECT level, idx, hash FROM merkle_node WHERE circle = $1 AND (level, idx) IN (SELECT * FROM unnest($2::smallint[], $3::bigint[]))`,
      [circle, frontierKeys(size).map((k) => k.level), frontierKeys(size).map((k) => k.index)],
    );
    const recordedAt = Math.max(Date.now(), head.last_recorded_at.getTime() + 1);
    const { line, leaf } = encodeEntry({ v: 1, circle, seq: size, prev: base64url(head.last_leaf), recordedAt: formatTimestamp(recordedAt), jws });
    const appended = appendLeaves(size, mapGetter(frontier.map((n) => ({ level: n.level, index: Number(n.idx), hash: n.hash }))), [leaf]);
    const { payload } = parseCompact(jws);
    await behindTheBack(
      t.db,
      `WITH e AS (INSERT INTO log_entry (circle, seq, leaf, line, type, signer, statement_id, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)),
            n AS (INSERT INTO merkle_node (circle, level, idx, hash) SELECT $1, * FROM unnest($9::smallint[], $10::bigint[], $11::bytea[]))
       UPDATE log_head SET size = $2 + 1, root = $12, last_leaf = $3, last_recorded_at = $8 WHERE circle = $1`,
      [
        circle,
        size,
        Buffer.from(leaf),
        line,
        payload.type,
        signer,
        payload.id,
        new Date(recordedAt),
        appended.nodes.map((n) => n.level),
        appended.nodes.map((n) => n.index),
        appended.nodes.map((n) => Buffer.from(n.hash)),
        Buffer.from(appended.root),
      ],
    );
  }

  /** A circle of exactly `n` entries (n ≥ 4), with a checkpoint signed at `n`. */
  async function circleOf(name: string, n: number): Promise<string> {
    const id = await circle(name);
    while ((await headSize(id)) < n) expect((await invite(id)).status).toBe(201);
    expect(await headSize(id)).toBe(n);
    expect((await api.get(`/api/v1/circles/${id}/checkpoint`)).status).toBe(200);
    return id;
  }

  const headSize = async (id: string) => Number((await sql<{ size: string }>(t.db.url, `SELECT size FROM log_head WHERE circle = $1`, [id]))[0].size);

  const invite = async (id: string) => api.postJws(alice.sign('member.invite', id, { member: (await api.register(`N${randomBytes(3).toString('hex')}`)).id }));

  describe('the service role', () => {
    const refused = async (statement: string, pattern: RegExp) => {
      await expect(sql(t.db.serviceUrl, statement)).rejects.toThrow(pattern);
    };

    it('cannot disable or drop a trigger, nor skip them', async () => {
      await refused(`ALTER TABLE log_entry DISABLE TRIGGER log_entry_append_only`, /must be owner/);
      await refused(`ALTER TABLE merkle_node DISABLE TRIGGER ALL`, /must be owner/);
      await refused(`DROP TRIGGER checkpoint_append_only ON checkpoint`, /must be owner/);
      await refused(`SET session_replication_role = replica`, /permission denied/);
      await refused(`CREATE TABLE intruder (x int)`, /permission denied/);
    });

    it.each(['log_entry', 'merkle_node', 'checkpoint', 'log_freeze'])('cannot update, delete or truncate %s', async (table) => {
      await refused(`UPDATE ${table} SET circle = circle`, /permission denied/);
      await refused(`DELETE FROM ${table}`, /permission denied/);
      await refused(`TRUNCATE ${table}`, /permission denied/);
    });

    it('cannot touch the instance key, which holds no private material', async () => {
      await refused(`UPDATE instance_key SET kid = 'x'`, /permission denied/);
      await refused(`DELETE FROM instance_key`, /permission denied/);
      await refused(`TRUNCATE instance_key`, /permission denied/);
      await refused(`ALTER TABLE instance_key DISABLE TRIGGER ALL`, /must be owner/);
      await refused(`SELECT private_jwk FROM instance_key`, /does not exist/);
      await refused(`SELECT archipel_unfreeze('registry')`, /permission denied/);
      // Even the owner cannot empty it: the table refuses TRUNCATE and DELETE itself.
      await expect(sql(t.db.ownerUrl, `TRUNCATE instance_key`)).rejects.toThrow(/append-only/);
      await expect(sql(t.db.ownerUrl, `DELETE FROM instance_key`)).rejects.toThrow(/append-only/);
      expect(await sql(t.db.serviceUrl, `SELECT kid FROM instance_key`)).toHaveLength(1);
    });

    it('owns nothing, and the service it runs answers as usual', async () => {
      const [{ n }] = await sql<{ n: number }>(t.db.url, `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tableowner = 'archipel_test_service'`);
      expect(n).toBe(0);
      expect((await api.get('/api/v1/registry/checkpoint')).status).toBe(200);
    });
  });

  describe('the instance key', () => {
    it('lives in a file only the service user reads, matching the published public key', async () => {
      const file = join(t.env.DATA_DIR, 'instance-key.jwk');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const signer = StatementSigner.fromPrivateJwk(JSON.parse(readFileSync(file, 'utf8')));
      const [row] = await sql<{ kid: string; public_jwk: unknown }>(t.db.url, `SELECT kid, public_jwk FROM instance_key`);
      expect(row.kid).toBe(signer.id);
      expect(row.public_jwk).toEqual(signer.publicJwk);
    });

    it('a key file that is not the published key stops the service, saying what to do', async () => {
      const other = join(t.env.DATA_DIR, 'other-key.jwk');
      writeFileSync(other, JSON.stringify(StatementSigner.generate().exportPrivateJwk()), { mode: 0o600 });
      await expect(startTestApp({ db: { ...t.db, drop: async () => undefined }, env: { INSTANCE_KEY_STORE: other } })).rejects.toThrow(
        /not the key this database published.*operations\.md#the-instance-key/s,
      );
    });
  });

  describe('a log altered behind the service', () => {
    it('a changed head: the next append is refused, reads go on, /health says so, other logs go on', async () => {
      const target = await circle('Head');
      const other = await circle('Bystander');
      await behindTheBack(t.db, `UPDATE log_head SET size = size - 1 WHERE circle = $1`, [target]);
      const refused = await invite(target);
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ code: 'LOG_FROZEN' });
      expect(String(refused.body.message)).toMatch(/operations\.md#self-audit/);
      expect((await invite(target)).status).toBe(503); // stays frozen
      expect((await api.get(`/api/v1/circles/${target}/log`)).status).toBe(200);
      expect((await invite(other)).status).toBe(201);
      const health = await api.get<{ details: { logs: { frozen: Array<{ circle: string; code: string }>; alert?: string } } }>('/health');
      expect(health.status).toBe(200);
      expect(health.body.details.logs.frozen).toEqual(expect.arrayContaining([expect.objectContaining({ circle: target })]));
      expect(health.body.details.logs.alert).toMatch(/frozen/);
    });

    it('a changed Merkle node: refused at the next append', async () => {
      const target = await circle('Node');
      const [{ size }] = await sql<{ size: string }>(t.db.url, `SELECT size FROM log_head WHERE circle = $1`, [target]);
      await behindTheBack(t.db, `UPDATE merkle_node SET hash = $2 WHERE circle = $1 AND level = 0 AND idx = ${Number(size) - 1}`, [target, randomBytes(32)]);
      const refused = await invite(target);
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ code: 'LOG_FROZEN' });
    });

    it.each([4, 5])('a changed root, at %i entries: refused against the signed checkpoint', async (n) => {
      const target = await circleOf(`Root${n}`, n);
      // The largest perfect subtree and the head's root rewritten together, consistently with the
      // other stored nodes: only the signed checkpoint can tell.
      const keys = frontierKeys(n);
      const stored = await sql<{ level: number; idx: string; hash: Buffer }>(
        t.db.url,
        `SELECT level, idx, hash FROM merkle_node WHERE circle = $1 AND (level, idx) IN (SELECT * FROM unnest($2::smallint[], $3::bigint[])) ORDER BY level DESC`,
        [target, keys.map((k) => k.level), keys.map((k) => k.index)],
      );
      expect(stored.map((r) => r.level)).toEqual(keys.map((k) => k.level));
      const fake = randomBytes(32);
      const hashes = [fake, ...stored.slice(1).map((r) => r.hash)];
      let fakeRoot: Uint8Array = hashes[hashes.length - 1];
      for (let i = hashes.length - 2; i >= 0; i--) fakeRoot = nodeHash(hashes[i], fakeRoot);
      await behindTheBack(t.db, `UPDATE merkle_node SET hash = $2 WHERE circle = $1 AND level = $3 AND idx = 0`, [target, fake, keys[0].level]);
      await behindTheBack(t.db, `UPDATE log_head SET root = $2 WHERE circle = $1`, [target, Buffer.from(fakeRoot)]);
      const refused = await invite(target);
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ code: 'LOG_FROZEN' });
      expect(String(refused.body.message)).toMatch(/CHECKPOINT_MISMATCH/);
    });

    describe('a Merkle node inside the tree, (0, 1) of an 8-entry log, off every root the head and checkpoints name', () => {
      const changeNode = (circle: string, level: number, index: number, hash: Buffer = randomBytes(32)) =>
        behindTheBack(t.db, `UPDATE merkle_node SET hash = $2 WHERE circle = $1 AND level = $3 AND idx = $4`, [circle, hash, level, index]);

      type Proof = { seq: number; size: number; leaf: string; root: string; path: string[] };
      const hash = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64url'));
      const sound = (p: Proof) => verifyInclusion(hash(p.leaf), p.seq, p.size, p.path.map(hash), hash(p.root));

      it('the full pass finds it and freezes that log; proofs through it are refused cleanly, the others and other logs go on', async () => {
        const target = await circleOf('Inner', 8);
        const other = await circleOf('Beside', 8);
        const auditor = t.app.get(LogAuditor);
        expect((await auditor.auditAll()).filter((o) => o.problem)).toEqual([]);
        await changeNode(target, 0, 1);
        // Every root the head and the checkpoints name is intact: the incremental pass, which reads
        // what is new, has nothing new to read in this log.
        expect((await auditor.auditAll()).find((o) => o.circle === target)).toMatchObject({ read: 0 });
        const outcomes = await auditor.auditAll({ full: true });
        expect(outcomes.filter((o) => o.problem)).toEqual([
          expect.objectContaining({ circle: target, problem: { code: 'MERKLE_MISMATCH', reason: 'the stored Merkle node (0, 1) is not the hash the entries give' } }),
        ]);
        expect((await invite(target)).body).toMatchObject({ code: 'LOG_FROZEN' });
        expect((await invite(other)).status).toBe(201);

        // Proofs whose path goes through (0, 1): refused with a stable code, never a 500, nothing of
        // the altered tree in the answer.
        for (const url of [`inclusion?seq=0`, `inclusion?seq=1&size=8`, `inclusion?seq=1&size=2`, `consistency?from=1`, `consistency?from=1&to=2`]) {
          const answer = await api.get(`/api/v1/circles/${target}/proof/${url}`);
          expect([url, answer.status, answer.body.code]).toEqual([url, 503, 'PROOF_MISMATCH']);
          expect(String(answer.body.message)).toMatch(/operations\.md#self-audit/);
        }
        // A proof that does not go through it is served, and sound.
        const fine = await api.get<Proof>(`/api/v1/circles/${target}/proof/inclusion?seq=5`);
        expect(fine.status).toBe(200);
        expect(sound(fine.body)).toBe(true);
        expect((await api.get(`/api/v1/circles/${target}/proof/inclusion?seq=2`)).status).toBe(200); // (1, 0) is on its path, not (0, 1)
        expect((await api.get(`/api/v1/circles/${target}/proof/consistency?from=3&to=8`)).status).toBe(200);
        expect((await api.get(`/api/v1/circles/${target}/log`)).status).toBe(200);
        // The other log's proofs go on.
        const elsewhere = await api.get<Proof>(`/api/v1/circles/${other}/proof/inclusion?seq=0&size=8`);
        expect(elsewhere.status).toBe(200);
        expect(sound(elsewhere.body)).toBe(true);
      });

      it('appended since the last audit and then changed: the next incremental pass finds it', async () => {
        const target = await circleOf('Recent', 4);
        const auditor = t.app.get(LogAuditor);
        expect((await auditor.auditAll()).find((o) => o.circle === target)).not.toHaveProperty('problem');
        for (let i = 0; i < 4; i++) expect((await invite(target)).status).toBe(201);
        await changeNode(target, 1, 2); // entries 4 and 5: completed by entries the last pass did not read
        const outcome = (await auditor.auditAll()).find((o) => o.circle === target);
        expect(outcome).toMatchObject({ full: false, read: 4, problem: { code: 'MERKLE_MISMATCH', reason: 'the stored Merkle node (1, 2) is not the hash the entries give' } });
      });

      it('before any audit: the proof routes check what they serve against the signed checkpoint, refuse it and freeze the log', async () => {
        const target = await circleOf('Unaudited', 8);
        await changeNode(target, 0, 1);
        const refused = await api.get(`/api/v1/circles/${target}/proof/inclusion?seq=0`);
        expect(refused.status).toBe(503);
        expect(refused.body).toMatchObject({ code: 'PROOF_MISMATCH', requestId: expect.any(String) });
        expect(refused.text).not.toMatch(/\n\s+at |node_modules/);
        expect((await invite(target)).body).toMatchObject({ code: 'LOG_FROZEN' });
        const health = await api.get<{ details: { logs: { frozen: Array<{ circle: string; code: string; detectedBy: string }> } } }>('/health');
        expect(health.body.details.logs.frozen).toEqual(expect.arrayContaining([expect.objectContaining({ circle: target, code: 'MERKLE_MISMATCH', detectedBy: 'proof' })]));
      });

      it('above the newest checkpoint, proofs are held to the head; a node that is no hash at all is refused too', async () => {
        const target = await circleOf('Past', 6); // a checkpoint at 6
        expect((await invite(target)).status).toBe(201);
        expect((await invite(target)).status).toBe(201); // 8 entries, no checkpoint at 8 yet
        const clean = await api.get<Proof>(`/api/v1/circles/${target}/proof/inclusion?seq=6`);
        expect(clean.status).toBe(200);
        expect(sound(clean.body)).toBe(true);
        await changeNode(target, 0, 6);
        expect((await api.get(`/api/v1/circles/${target}/proof/inclusion?seq=7`)).body).toMatchObject({ code: 'PROOF_MISMATCH' });
        await changeNode(target, 0, 7, randomBytes(5));
        for (const url of [`inclusion?seq=6`, `inclusion?seq=7`, `consistency?from=7`]) {
          const answer = await api.get(`/api/v1/circles/${target}/proof/${url}`);
          expect([url, answer.status, answer.body.code]).toEqual([url, 503, 'PROOF_MISMATCH']);
        }
        // Below the checkpoint nothing went through the changed node.
        expect((await api.get(`/api/v1/circles/${target}/proof/inclusion?seq=1&size=6`)).status).toBe(200);
        expect((await api.get(`/api/v1/circles/${target}/proof/consistency?from=6`)).status).toBe(200); // through (1, 3), not (0, 7)
      });

      it('a receipt or a peer request never carries a proof through it: refused before it is signed or sent', async () => {
        const target = await circleOf('Carried', 8);
        const outbound = t.app.get(FederationOutbound);
        const proven = await outbound.prove(target, 0);
        expect(proven.proof).toHaveLength(3);
        await changeNode(target, 0, 1);
        await expect(outbound.prove(target, 0)).rejects.toMatchObject({ code: 'PROOF_MISMATCH' });
        await expect(outbound.prove(target, 5)).resolves.toMatchObject({ checkpoint: proven.checkpoint });
      });

      it('an entry whose bytes changed under its stored leaf: its proof is not carried either', async () => {
        const target = await circleOf('Relined', 8);
        const outbound = t.app.get(FederationOutbound);
        await behindTheBack(t.db, `UPDATE log_entry SET line = replace(line, '"v":1', '"v":1 ') WHERE circle = $1 AND seq = 6`, [target]);
        // The stored nodes are intact, so the route's proof (of the stored leaf) is sound; the line
        // it would go out with is not the one it proves.
        expect((await api.get(`/api/v1/circles/${target}/proof/inclusion?seq=6`)).status).toBe(200);
        await expect(outbound.prove(target, 6)).rejects.toMatchObject({ code: 'PROOF_MISMATCH' });
      });
    });

    it('a head rolled back, consistently, below a checkpoint the writer had already checked: refused (LOG_SHRANK)', async () => {
      const target = await circle('Rollback'); // 4 entries, a checkpoint at 4
      expect((await invite(target)).status).toBe(201);
      expect((await api.get(`/api/v1/circles/${target}/checkpoint`)).status).toBe(200); // signed at 5
      expect((await invite(target)).status).toBe(201); // the writer checks that checkpoint, and remembers it
      // Head, root and last leaf put back as they were at 4 entries: consistent with the stored nodes.
      await behindTheBack(
        t.db,
        `UPDATE log_head h SET size = 4, root = (SELECT hash FROM merkle_node WHERE circle = $1 AND level = 2 AND idx = 0),
           last_leaf = e.leaf, last_recorded_at = e.recorded_at
           FROM log_entry e WHERE h.circle = $1 AND e.circle = $1 AND e.seq = 3`,
        [target],
      );
      const refused = await invite(target);
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ code: 'LOG_FROZEN' });
      expect(String(refused.body.message)).toMatch(/LOG_SHRANK/);
    });

    it("a changed entry's bytes: the self-audit finds it with the verifier's check and freezes that log only", async () => {
      const target = await circle('Bytes');
      const other = await circle('Untouched');
      const auditor = t.app.get(LogAuditor);
      expect((await auditor.auditAll()).filter((o) => o.problem)).toEqual([]);
      // The seq 1 entry's recordedAt moved by a millisecond: same shape, other bytes.
      await behindTheBack(
        t.db,
        `UPDATE log_entry SET line = regexp_replace(line, '(\\d)Z"', (CASE WHEN substring(line from '(\\d)Z"') = '9' THEN '8' ELSE '9' END) || 'Z"') WHERE circle = $1 AND seq = 1`,
        [target],
      );
      // Entry 1 was verified by the audit above: the rolling full pass reads it again.
      const outcomes = await auditor.auditAll({ full: true });
      const found = outcomes.filter((o) => o.problem);
      expect(found.map((o) => o.circle)).toEqual([target]);
      expect((await invite(target)).body).toMatchObject({ code: 'LOG_FROZEN' });
      expect((await invite(other)).status).toBe(201);
      expect((await api.get(`/api/v1/circles/${target}/log`)).status).toBe(200);
      expect((await api.get(`/api/v1/circles/${target}/checkpoint`)).status).toBe(200);
      // The next audit does not read it again, and reports it still frozen.
      expect((await auditor.auditAll()).find((o) => o.circle === target)).toMatchObject({ frozen: true });
    });

    it('an entry appended since the last audit and then changed: the next (incremental) audit finds it', async () => {
      const target = await circle('Fresh');
      const auditor = t.app.get(LogAuditor);
      await auditor.auditAll();
      expect((await invite(target)).status).toBe(201);
      const [{ size }] = await sql<{ size: string }>(t.db.url, `SELECT size FROM log_head WHERE circle = $1`, [target]);
      await behindTheBack(t.db, `UPDATE log_entry SET line = replace(line, '"v":1', '"v":1 ') WHERE circle = $1 AND seq = $2`, [target, Number(size) - 1]);
      const outcome = (await auditor.auditAll()).find((o) => o.circle === target);
      expect(outcome).toMatchObject({ full: false, problem: { code: 'MALFORMED_ENTRY' } });
      expect((await invite(target)).body).toMatchObject({ code: 'LOG_FROZEN' });
    });

    it('an unaltered registry passes every incremental audit, whatever key signs its key changes (keys over time, SPEC §11)', async () => {
      const auditor = t.app.get(LogAuditor);
      const registryOutcome = async () => (await auditor.auditAll()).find((o) => o.circle === 'registry');
      const dora = await api.register('Dora');
      expect(await registryOutcome()).not.toHaveProperty('problem');
      // Nothing new: nothing read.
      expect(await registryOutcome()).toMatchObject({ full: false, read: 0 });
      // After a pass: a key change signed by a key registered before it, by a key added before it,
      // and by a key added in the same stretch of entries. The auditor goes on with the registry's
      // verifier of the last pass, which holds the keys over time of every entry before: it reads
      // only the new entries.
      const laptop = StatementSigner.generate();
      await api.act(dora, 'member.key.add', null, { member: dora.id, jwk: laptop.publicJwk });
      const first = await registryOutcome();
      expect(first).not.toHaveProperty('problem');
      expect(first).toMatchObject({ full: false, read: 1 });
      const phone = StatementSigner.generate();
      await api.act(laptop, 'member.key.add', null, { member: dora.id, jwk: phone.publicJwk });
      await api.act(phone, 'member.key.revoke', null, { member: dora.id, key: dora.id });
      const second = await registryOutcome();
      expect(second).not.toHaveProperty('problem');
      expect(second).toMatchObject({ full: false, read: 2 });
      // A full pass (as every AUDIT_FULL_PASS_HOURS) reads it all again, and finds it as clean.
      const [{ size }] = await sql<{ size: string }>(t.db.url, `SELECT size FROM log_head WHERE circle = 'registry'`);
      const all = (await auditor.auditAll({ full: true })).find((o) => o.circle === 'registry');
      expect(all).not.toHaveProperty('problem');
      expect(all).toMatchObject({ full: true, read: Number(size) });
      expect((await api.postJws(phone.sign('member.invite', await api.circle(phone, 'Dora circle'), { member: alice.id }))).status).toBe(201);
    });

    it('a statement signed by a revoked key, appended behind the service: the self-audit finds it against the keys over time (KEY_REVOKED)', async () => {
      const auditor = t.app.get(LogAuditor);
      const erin = await api.register('Erin');
      const laptop = StatementSigner.generate();
      await api.act(erin, 'member.key.add', null, { member: erin.id, jwk: laptop.publicJwk });
      const target = await api.circle(erin, 'Erin circle');
      expect((await api.postJws(laptop.sign('member.invite', target, { member: (await api.register('Frank')).id }))).status).toBe(201);
      await api.act(erin, 'member.key.revoke', null, { member: erin.id, key: laptop.id });
      // The stolen laptop's key still signs; the service refuses it, so it is slipped in below it.
      const jws = laptop.sign('member.invite', target, { member: (await api.register('Grace')).id });
      expect((await api.postJws(jws)).body).toMatchObject({ code: 'KEY_REVOKED' });
      // Every other log is clean, and this pass knows the registry with the revocation.
      expect((await auditor.auditAll()).filter((o) => o.problem)).toEqual([]);
      await appendBehindTheBack(target, jws, erin.id);
      const found = (await auditor.auditAll()).filter((o) => o.problem);
      expect(found).toEqual([expect.objectContaining({ circle: target, problem: expect.objectContaining({ code: 'KEY_REVOKED' }) })]);
    });

    it('a key added after the last audit pass, and used in a circle at once: no log is found altered', async () => {
      const auditor = t.app.get(LogAuditor);
      const hana = await api.register('Hana');
      const target = await api.circle(hana, 'Hana circle');
      expect((await auditor.auditAll()).filter((o) => o.problem)).toEqual([]);
      const phone = StatementSigner.generate();
      await api.act(hana, 'member.key.add', null, { member: hana.id, jwk: phone.publicJwk });
      expect((await api.postJws(phone.sign('member.invite', target, { member: (await api.register('Ivo')).id }))).status).toBe(201);
      expect((await auditor.auditAll()).filter((o) => o.problem)).toEqual([]);
    });

    it('an operator lifts a freeze explicitly, after repairing the log', async () => {
      const target = await circle('Unfreeze');
      const [{ size }] = await sql<{ size: string }>(t.db.url, `SELECT size FROM log_head WHERE circle = $1`, [target]);
      await behindTheBack(t.db, `UPDATE log_head SET size = size + 5 WHERE circle = $1`, [target]);
      expect((await invite(target)).status).toBe(503);
      await behindTheBack(t.db, `UPDATE log_head SET size = $2 WHERE circle = $1`, [target, size]); // restored
      expect((await invite(target)).status).toBe(503); // still frozen: never lifted by itself
      const [{ lifted }] = await sql<{ lifted: boolean }>(t.db.ownerUrl, `SELECT archipel_unfreeze($1) AS lifted`, [target]);
      expect(lifted).toBe(true);
      expect((await invite(target)).status).toBe(201);
      expect((await t.app.get(LogAuditor).auditAll()).find((o) => o.circle === target)).toMatchObject({ full: true });
    });
  });
});
