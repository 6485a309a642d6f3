// The self-audit as it is wired (docs/operations.md#self-audit): no test calls `auditAll` here. A
// worker process (`node dist/worker.js`) runs the scheduled `log.audit` job every
// AUDIT_INTERVAL_SECONDS, every pass a full one (AUDIT_FULL_PASS_HOURS tiny); a Merkle node changed
// behind the service's back (as the superuser, in this test's own database) is found by that job:
// the log is frozen, the worker logs it, /health raises the alert. Then every read route of the
// OpenAPI document, on the frozen log, answers without a 5xx; only an append is refused
// (503 LOG_FROZEN), and a proof through the changed node (503 PROOF_MISMATCH).
import { randomBytes } from 'node:crypto';
import { StatementSigner } from '../../src/core/formats/statement-signer';
import { eventually, startTestApp, TestApp } from '../support/app';
import { ApiClient } from '../support/client';
import { describeWithServer } from '../support/database-urls';
import { behindTheBack, sql } from '../support/database';
import { WorkerProcess } from '../support/processes';

interface Operation {
  parameters?: { name: string; in: 'path' | 'query' | 'header'; required?: boolean }[];
  responses?: Record<string, { description?: string }>;
}

type Health = { status: number; body: { details: { logs: { frozen: Array<{ circle: string; code: string; reason: string; detectedBy: string }>; alert?: string } } } };

describeWithServer('the scheduled self-audit', () => {
  let t: TestApp;
  let worker: WorkerProcess;
  let api: ApiClient;
  let alice: StatementSigner;
  let target: string;
  let bystander: string;
  let proposal: string;

  beforeAll(async () => {
    // The API without workers: the audit job runs only in the worker process.
    t = await startTestApp();
    api = new ApiClient(t.url);
    alice = await api.register('Alice');
    worker = await WorkerProcess.start({ env: t.env, extra: { AUDIT_INTERVAL_SECONDS: '1', AUDIT_FULL_PASS_HOURS: '0.0001' } });
  });
  afterAll(async () => {
    await worker?.kill();
    await t?.close();
  });

  const headSize = async (circle: string) => Number((await sql<{ size: string }>(t.db.url, `SELECT size FROM log_head WHERE circle = $1`, [circle]))[0].size);
  const invite = async (circle: string) => api.postJws(alice.sign('member.invite', circle, { member: (await api.register(`M${randomBytes(3).toString('hex')}`)).id }));

  /** A circle of 8 entries: its genesis, a proposal, and invitations. */
  async function circleOf8(name: string): Promise<string> {
    const id = await api.circle(alice, name);
    while ((await headSize(id)) < 8) expect((await invite(id)).status).toBe(201);
    expect(await headSize(id)).toBe(8);
    return id;
  }

  it('freezes a log whose Merkle node (0, 1) was changed, logs it and raises the alert in /health; the other logs go on', async () => {
    target = await api.circle(alice, 'Audited');
    const far = new Date(Date.now() + 86_400_000).toISOString();
    proposal = (await api.act(alice, 'proposal.open', target, { kind: 'motion', title: 'Kept', text: 'k', closesAt: far })).id as string;
    while ((await headSize(target)) < 8) expect((await invite(target)).status).toBe(201);
    bystander = await circleOf8('Bystander');
    // The job has audited both logs as they are (its state in log_audit), and signed checkpoints.
    await eventually(
      async () => {
        const rows = await sql<{ circle: string }>(t.db.url, `SELECT circle FROM log_audit WHERE circle = ANY($1) AND size = 8`, [[target, bystander]]);
        return rows.length === 2;
      },
      30_000,
      'the scheduled audit to pass over both logs',
    );
    expect((await api.get<Health['body']>('/health')).body.details.logs.frozen).toEqual([]);

    await behindTheBack(t.db, `UPDATE merkle_node SET hash = $2 WHERE circle = $1 AND level = 0 AND idx = 1`, [target, randomBytes(32)]);

    const health = (await eventually(
      async () => {
        const answer = (await api.get('/health')) as unknown as Health;
        return answer.body.details.logs.frozen.some((f) => f.circle === target) && answer;
      },
      30_000,
      'the scheduled audit to freeze the log',
    )) as Health;
    expect(health.status).toBe(200);
    expect(health.body.details.logs.frozen).toEqual([
      expect.objectContaining({ circle: target, code: 'MERKLE_MISMATCH', reason: 'the stored Merkle node (0, 1) is not the hash the entries give', detectedBy: 'audit' }),
    ]);
    expect(health.body.details.logs.alert).toMatch(/1 log\(s\) frozen.*operations\.md#self-audit/);

    // The worker's log line (pino JSON on its stdout), at level error.
    await worker.waitForOutput(new RegExp(`Log ${target} frozen: MERKLE_MISMATCH`), 10_000);
    const line = worker.output.split('\n').find((l) => l.includes(`Log ${target} frozen`)) as string;
    const logged = JSON.parse(line) as { level: number; msg: string; context?: string };
    expect(logged).toMatchObject({ level: 50, context: 'SelfAudit' });
    expect(logged.msg).toBe(
      `Log ${target} frozen: MERKLE_MISMATCH: the stored Merkle node (0, 1) is not the hash the entries give. Appends to it are refused (LOG_FROZEN) until an operator acts (docs/operations.md#self-audit)`,
    );

    const refused = await invite(target);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: 'LOG_FROZEN' });
    expect((await invite(bystander)).status).toBe(201);
  });

  it('every read route of the frozen log answers without a 5xx; an append is refused with LOG_FROZEN, a proof through the node with PROOF_MISMATCH', async () => {
    expect((await api.get<Health['body']>('/health')).body.details.logs.frozen.map((f) => f.circle)).toEqual([target]);
    const doc = (await api.get<{ paths: Record<string, Record<string, Operation>> }>('/docs/openapi.json')).body;
    // Real values: the frozen circle, its proposal, its member; proof sizes whose paths avoid (0, 1).
    const pathValues: Record<string, string> = { circle: target, member: alice.id, kid: alice.id };
    const pathValue = (name: string, path: string) => {
      if (name === 'id' && (path.startsWith('/api/v1/members') || path.startsWith('/api/v1/federation/members'))) return alice.id;
      if (name === 'id' && path.startsWith('/api/v1/proposals')) return proposal;
      if (name === 'id' && path.startsWith('/api/v1/circles')) return target;
      return pathValues[name];
    };
    const queryValues: Record<string, string> = { seq: '5', size: '8', from: '4', to: '8', after: '0', limit: '5', cosigned: '0', parent: target, proposal, status: 'open', kind: 'motion' };
    const gets = Object.entries(doc.paths).flatMap(([path, ops]) => (ops.get ? [{ path, op: ops.get }] : []));
    expect(gets.length).toBeGreaterThan(20);

    const problems: string[] = [];
    const unknown: string[] = [];
    let onTarget = 0;
    let calls = 0;
    const served = new Set<string>();
    for (const { path, op } of gets) {
      const params = op.parameters ?? [];
      const url = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
        const value = pathValue(name, path);
        if (value === undefined) unknown.push(`${path}: path ${name}`);
        return encodeURIComponent(value ?? 'x');
      });
      if (url.includes(target) || url.startsWith('/api/v1/registry')) onTarget++;
      const required = params.filter((p) => p.in === 'query' && p.required);
      for (const p of required) if (!(p.name in queryValues)) unknown.push(`${path}: query ${p.name}`);
      const variants = [required, params.filter((p) => p.in === 'query' && p.name in queryValues)].map((ps) => ps.map((p) => `${p.name}=${encodeURIComponent(queryValues[p.name] ?? 'x')}`).join('&'));
      for (const query of new Set(variants)) {
        // A parameter the document does not list but the route asks for (the error's `field`) is added.
        const given = new URLSearchParams(query);
        for (let attempt = 0; attempt < 4; attempt++) {
          const full = given.size ? `${url.split('?')[0]}?${given}` : url.split('?')[0];
          const answer = await fetchHead(`${t.url}${full}`);
          calls++;
          if (answer.status >= 500) problems.push(`GET ${full}: ${answer.status} ${answer.text.slice(0, 200)}`);
          if (answer.status === 200) served.add(path);
          const field = answer.status >= 400 ? (safeJson(answer.text) as { field?: string }).field : undefined;
          if (field === undefined || !(field in queryValues) || given.has(field)) break;
          given.set(field, queryValues[field]);
        }
      }
    }
    expect(unknown).toEqual([]);
    expect(onTarget).toBeGreaterThan(10);
    expect(calls).toBeGreaterThan(gets.length);
    expect(problems).toEqual([]);
    // The frozen log itself, its proofs (away from the changed node) and checkpoint are served.
    for (const route of ['log', 'checkpoint', 'proof/inclusion', 'proof/consistency']) expect([route, served.has(`/api/v1/circles/{id}/${route}`)]).toEqual([route, true]);

    // The documented refusals, and nothing else.
    const append = await invite(target);
    expect([append.status, append.body.code]).toEqual([503, 'LOG_FROZEN']);
    const through = await api.get(`/api/v1/circles/${target}/proof/inclusion?seq=0`);
    expect([through.status, through.body.code]).toEqual([503, 'PROOF_MISMATCH']);
    const documented = doc.paths['/api/v1/circles/{id}/proof/inclusion']?.get?.responses?.['503']?.description ?? '';
    expect(documented).toMatch(/PROOF_MISMATCH/);
  });
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) ?? {};
  } catch {
    return {};
  }
}

/** GET, reading the body; an event stream that opened is taken at its status. */
async function fetchHead(url: string): Promise<{ status: number; text: string }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5_000);
  try {
    const res = await fetch(url, { signal: controller.signal });
    if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      controller.abort();
      return { status: res.status, text: '' };
    }
    return { status: res.status, text: await res.text() };
  } catch (error) {
    if ((error as Error).name === 'AbortError') return { status: 200, text: '' };
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
