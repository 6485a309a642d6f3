// The standing fuzz campaign (test/support/fuzz-campaign.ts, docs/testing.md). A bounded run here;
// `npm run fuzz` runs the same file with FUZZ_CASES=100000 (or as many as asked) and prints figures.
import { writeFileSync } from 'node:fs';
import { startTestApp, TestApp } from '../support/app';
import { verifyCircles } from '../support/cli';
import { buildWorld, CampaignReport, memberStatementsInLogs, runCampaign, World } from '../support/fuzz-campaign';
import { describeWithServer } from '../support/database-urls';
import { MEMBER_TYPES, PROPOSAL_KINDS } from '../../src/core/formats/statement-types';

const CASES = Number(process.env.FUZZ_CASES ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);
// generous: 10 cases a second at least (the long run takes about an hour on 2 shared cores)
const TIMEOUT = Math.max(600_000, CASES * 100);

// The logs must hold exactly the campaign's statements: a database of its own, not the shared embedded one.
describeWithServer(`fuzz campaign: ${CASES} cases through the HTTP API (seed ${SEED})`, () => {
  let t: TestApp;
  let w: World;
  let report: CampaignReport;

  beforeAll(async () => {
    // Workers in process: the closed proposal is closed by the real tally job, checkpoints are cut.
    t = await startTestApp({ worker: true });
    w = await buildWorld(t.url, Number(process.env.FUZZ_MAX_CIRCLES ?? 1));
  }, 120_000); // its own: `npm run fuzz` passes --testTimeout 0, which leaves hooks Jest's 5 s
  afterAll(async () => {
    await t?.close();
  });

  it('refuses every bad statement with a 4xx and a §10 body, and accepts every valid one', async () => {
    let last = Date.now();
    report = await runCampaign(w, {
      cases: CASES,
      seed: SEED,
      onProgress: (done, sofar) => {
        if (process.env.FUZZ_PROGRESS && Date.now() - last > 10_000) {
          last = Date.now();
          process.stdout.write(`fuzz: ${done}/${CASES} in ${Math.round(sofar.seconds)} s, ${sofar.problems.length} problems\n`);
          // the figures so far, should the run be stopped before its end
          if (process.env.FUZZ_REPORT) writeFileSync(process.env.FUZZ_REPORT, JSON.stringify({ seed: SEED, partial: true, ...sofar, refusedIds: sofar.refusedIds.size }, null, 2));
        }
      },
    });
    if (process.env.FUZZ_REPORT) writeFileSync(process.env.FUZZ_REPORT, JSON.stringify({ seed: SEED, ...report, refusedIds: report.refusedIds.size }, null, 2));
    // One line per kind of problem, with an example, so a failure names what to fix.
    const kinds = new Map<string, string>();
    for (const p of report.problems) if (!kinds.has(p.kind)) kinds.set(p.kind, p.detail);
    expect([...kinds.entries()].map(([k, d]) => `${k}: ${d}`)).toEqual([]);
    expect(report.cases).toBe(CASES);
    expect(report.valid).toBeGreaterThan(CASES / 10);
  }, TIMEOUT);

  it('sent valid and mutated statements of every type a member signs, every proposal kind, and keys revoked and unknown', () => {
    const kinds = Object.keys(report.byKind);
    const labels = [...MEMBER_TYPES.filter((t) => t !== 'proposal.open'), ...PROPOSAL_KINDS.map((k) => `proposal.open ${k}`)];
    expect(labels.filter((l) => !kinds.includes(`valid ${l}`))).toEqual([]);
    expect(labels.filter((l) => !kinds.some((k) => k.startsWith('body: ') && k.endsWith(`(${l})`)))).toEqual([]);
    // several kinds of case each (a header, a vote, a key added or revoked): one of each is certain
    for (const signer of [/revoked/, /unknown key/, /recovery key/]) expect(kinds.filter((k) => signer.test(k)).length).toBeGreaterThan(0);
  });

  it('the logs hold exactly the statements accepted, and none refused', async () => {
    const { ids } = await memberStatementsInLogs(w);
    const accepted = [...w.accepted.keys()];
    expect(accepted.filter((id) => !ids.has(id))).toEqual([]);
    expect([...ids].filter((id) => !w.accepted.has(id))).toEqual([]);
    expect([...report.refusedIds].filter((id) => ids.has(id))).toEqual([]);
  }, 600_000);

  it('archipel verify passes every circle', async () => {
    const { circles } = await memberStatementsInLogs(w);
    expect(circles.length).toBeGreaterThanOrEqual(5);
    // a few at a time: each run of the CLI is a process of its own
    for (let i = 0; i < circles.length; i += 4) await Promise.all(circles.slice(i, i + 4).map((c) => verifyCircles(t.url, [c])));
  }, TIMEOUT);
});
