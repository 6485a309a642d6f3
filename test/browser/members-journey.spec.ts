/// <reference lib="dom" />
// Two members, each in her own browser (context), through the web app against the real service,
// PostgreSQL, Redis and workers: register, create a circle and a sub-circle, invite and join,
// delegate, open a motion, vote, watch the live tally move on the other member's page, see the
// tally close and its receipt in the parent, audit the log in the page, and see a tampered log
// fail. Alice's browser speaks English, Bob's French (the language comes from the browser).
import { generateKeyPairSync, sign } from 'node:crypto';
import type { Browser, Page, Route } from 'playwright-core';
import { canonicalJson } from '../../src/core/formats/canonical-json';
import { encodeEntry, prevOf, type LogEntry } from '../../src/core/formats/entry';
import { rootFromLeafHashes } from '../../src/core/formats/merkle';
import { formatCheckpoint, formatVerifierKey, signNote } from '../../src/core/formats/signed-note';
import { StatementSigner } from '../../src/core/formats/statement-signer';
import { eventually, startTestApp, TestApp } from '../support/app';
import { describeWithChromium, launchChromium, memberBrowser, MemberBrowser, noAxeViolations, shot } from '../support/browser';
import { describeWithServer } from '../support/database-urls';

async function register(m: MemberBrowser, url: string, name: string, submit: RegExp, done: RegExp): Promise<string> {
  await m.page.goto(url);
  await m.page.getByLabel(/Display name|Nom affiché/).fill(name);
  await m.page.getByRole('button', { name: submit }).click();
  await m.page.getByTestId('recovery-words').waitFor();
  const words = await m.page.getByTestId('recovery-words').locator('li').count();
  expect(words).toBe(24);
  await m.page.getByRole('button', { name: done }).click();
  await m.page.goto(`${url}/me`);
  return (await m.page.getByTestId('my-id').textContent())!.trim();
}

describeWithServer('web app', () => {
  describeWithChromium('members in their browsers', () => {
    let app: TestApp;
    let browser: Browser;
    let alice: MemberBrowser;
    let bob: MemberBrowser;
    const ids = { alice: '', bob: '', parent: '', kitchen: '' };
    /** Kitchen's checkpoints as the instance signed them early on (after Bob joined) and with the motion open. */
    const checkpoints = { early: '', mid: '' };

    beforeAll(async () => {
      app = await startTestApp({ worker: true });
      browser = await launchChromium();
      alice = await memberBrowser(browser, 'en-GB');
      bob = await memberBrowser(browser, 'fr-FR', { width: 390, height: 844 }); // a phone's width
    });

    afterAll(async () => {
      await browser?.close();
      await app?.close();
    });

    it('goes from registration to an adopted motion with its receipt in the parent, verified in the page', async () => {
      const url = app.url;
      await alice.page.goto(url);
      await alice.page.getByLabel('Display name').waitFor();
      await noAxeViolations(alice.page, 'welcome');
      await shot(alice.page, 'welcome');
      const aliceId = await register(alice, url, 'Alice', /Create my identity/, /I have kept/);
      const bobId = await register(bob, url, 'Bob', /Créer mon identité/, /J'ai mis ma clé/);
      expect(aliceId).toMatch(/^[A-Za-z0-9_-]{43}$/);

      // The key is in IndexedDB, non-extractable.
      const exported = await alice.page.evaluate(async () => {
        const db: IDBDatabase = await new Promise((res, rej) => {
          const r = indexedDB.open('archipel');
          r.onsuccess = () => res(r.result);
          r.onerror = () => rej(r.error);
        });
        const me: { privateKey: CryptoKey } = await new Promise((res, rej) => {
          const r = db.transaction('identity').objectStore('identity').get('me');
          r.onsuccess = () => res(r.result);
          r.onerror = () => rej(r.error);
        });
        try {
          await crypto.subtle.exportKey('jwk', me.privateKey);
          return `exported (extractable: ${me.privateKey.extractable})`;
        } catch (e) {
          return `refused: ${(e as Error).name}`;
        }
      });
      expect(exported).toBe('refused: InvalidAccessError');

      // Alice: a root circle and a sub-circle.
      const a = alice.page;
      await a.goto(url);
      await a.getByRole('heading', { name: 'My circles' }).waitFor();
      await noAxeViolations(a, 'home');
      await a.locator('#new-name').fill('Federation');
      await a.locator('#new-regime').selectOption('unanimity');
      await a.getByRole('button', { name: 'Create', exact: true }).click();
      await a.getByRole('heading', { name: /Federation/ }).waitFor();
      const parentId = a.url().split('/').pop()!;
      await a.locator('#sub-name').fill('Kitchen');
      await a.locator('#sub-regime').selectOption('unanimity');
      await a.locator('form', { has: a.locator('#sub-name') }).getByRole('button', { name: 'Create' }).click();
      await a.getByRole('heading', { name: /Kitchen/ }).waitFor();
      const kitchen = a.url().split('/').pop()!;
      expect(kitchen).not.toBe(parentId);
      Object.assign(ids, { alice: aliceId, bob: bobId, parent: parentId, kitchen });

      // A refusal of the API is shown translated, saying what to do.
      await a.locator('#invite-id').fill('not-a-member-id');
      await a.getByRole('button', { name: 'Invite', exact: true }).click();
      await a.getByRole('alert').filter({ hasText: 'A field of your statement was refused. Check the form.' }).waitFor();

      // Invite Bob by his id; he accepts on his home page.
      await a.locator('#invite-id').fill(bobId);
      await a.getByRole('button', { name: 'Invite', exact: true }).click();
      await a.getByText('Invitation recorded.').waitFor();
      const b = bob.page;
      await b.goto(url);
      await b.getByRole('button', { name: /Accepter — Kitchen/ }).click();
      await b.getByRole('link', { name: 'Kitchen' }).waitFor();
      checkpoints.early = await (await fetch(`${url}/api/v1/circles/${kitchen}/checkpoint`)).text();
      await noAxeViolations(b, 'home (fr, phone)');
      await shot(b, 'home-phone-fr');

      // Bob delegates his vote in the circle to Alice.
      await b.goto(`${url}/circles/${kitchen}`);
      await b.locator('#d-to').selectOption(aliceId);
      await b.getByRole('button', { name: 'Déléguer', exact: true }).click();
      await b.getByText('Délégation enregistrée.').waitFor();

      // Alice opens a motion closing in 20 s.
      await a.goto(`${url}/circles/${kitchen}`);
      await a.locator('.live.on').waitFor();
      // This instance has no witness: the circle's checkpoints are not cosigned, and the page says so.
      await a.getByTestId('witnesses').filter({ hasText: "Not cosigned: no witness has cosigned a checkpoint of this circle's log." }).waitFor();
      await noAxeViolations(a, 'circle');
      await shot(a, 'circle');
      await a.locator('#p-title').fill('Buy an oven');
      await a.locator('#p-text').fill('We buy a second-hand oven for the kitchen.');
      await a.locator('#p-minutes').fill(String(20 / 60));
      await a.getByRole('button', { name: 'Open the proposal' }).click();
      await a.getByRole('heading', { name: 'Buy an oven' }).waitFor();
      const proposal = a.url().split('/').pop()!;
      checkpoints.mid = await (await fetch(`${url}/api/v1/circles/${kitchen}/checkpoint`)).text();

      // Bob watches it; Alice votes; his page's tally moves without a reload.
      const opening = Date.now();
      await b.goto(`${url}/proposals/${proposal}`);
      const bobTally = b.getByTestId('tally-summary');
      await expect(bobTally.textContent()).resolves.toContain('Oui 0');
      await b.locator('canvas[role="img"]').waitFor(); // the tally chart (the delegation graph draws canvases of its own)
      console.log(`proposal page with its tally rendered ${Date.now() - opening} ms after navigation (2 members; not a benchmark)`);
      await b.waitForTimeout(300); // the event stream is open once the page has rendered
      await a.getByRole('button', { name: 'Vote', exact: true }).click();
      await a.getByText('Vote recorded.').waitFor();
      await b.getByTestId('tally-summary').filter({ hasText: 'Oui 2' }).waitFor({ timeout: 10_000 });
      await noAxeViolations(b, 'proposal (fr, phone)');
      await shot(b, 'proposal-phone-fr');
      // Bob's weight went through Alice, who voted yes: the chain, by name.
      await b.getByTestId('my-weight').filter({ hasText: 'par Alice : Oui' }).waitFor();

      // The worker closes it: the signed result reaches both open pages, and its receipt in the
      // parent reaches Alice's (the parent's event stream), none of them reloaded.
      await a.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
      await b.getByTestId('result').filter({ hasText: 'Adoptée' }).waitFor({ timeout: 40_000 });
      await a.getByTestId('result').filter({ hasText: 'Adopted' }).waitFor({ timeout: 10_000 });
      await a.getByTestId('receipts').filter({ hasText: 'in Federation, entry' }).waitFor({ timeout: 30_000 });
      await expect(a.getByTestId('receipts').getByRole('link').getAttribute('href')).resolves.toBe(`/circles/${parentId}`);
      expect(await a.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
      await shot(a, 'proposal');

      // The audit, in Alice's page.
      await a.goto(`${url}/circles/${kitchen}/audit`);
      await a.getByRole('button', { name: 'Verify now' }).click();
      const verdict = a.getByTestId('audit-verdict');
      await verdict.waitFor({ timeout: 30_000 });
      expect(await verdict.textContent()).toMatch(/Verified in your browser: \d+ entries, 1 tallies recomputed, checkpoint signed by test\.archipel\.example/);
      await noAxeViolations(a, 'audit');
      await shot(a, 'audit');

      // A tampered log: the vote's choice changed in transit. The page must say it fails.
      await a.route(`**/api/v1/circles/${kitchen}/log*`, async (route) => {
        const res = await route.fetch();
        const lines = (await res.text()).split('\n');
        const i = lines.findIndex((l) => l.includes('"jws"') && payloadOf(l).includes('"vote.cast"'));
        expect(i).toBeGreaterThan(0);
        lines[i] = tamperVote(lines[i]);
        await route.fulfill({ response: res, body: lines.join('\n') });
      });
      await a.reload();
      await a.getByRole('button', { name: 'Verify now' }).click();
      await verdict.waitFor();
      expect(await verdict.textContent()).toMatch(/Verification FAILED: log #\d+: BAD_SIGNATURE/);
      await a.unroute(`**/api/v1/circles/${kitchen}/log*`);

      // The only thing either browser ever sent: signed statements, never a private key.
      const bodies = [...alice.bodies, ...bob.bodies];
      expect(bodies.length).toBeGreaterThan(8);
      for (const body of bodies) {
        expect(Object.keys(JSON.parse(body))).toEqual(['jws']);
        expect(body).not.toMatch(/"d"\s*:/);
        const { jws } = JSON.parse(body) as { jws: string };
        const [header, payload] = jws.split('.').slice(0, 2).map((p) => Buffer.from(p, 'base64url').toString());
        expect(header).not.toMatch(/"d"\s*:/);
        expect(payload).not.toMatch(/"d"\s*:/);
      }
    });

    it('shows answers the server tampered with as failing, and entries no signed checkpoint covers as not verified', async () => {
      if (!checkpoints.mid) throw new Error('the first test did not get to its checkpoints');
      const { url } = app;
      const { kitchen, parent } = ids;
      const a = alice.page;
      const log = (await (await fetch(`${url}/api/v1/circles/${kitchen}/log`)).text()).split('\n').filter((l) => l !== '');
      const current = await (await fetch(`${url}/api/v1/circles/${kitchen}/checkpoint`)).text();
      const parentCheckpoint = await (await fetch(`${url}/api/v1/circles/${parent}/checkpoint`)).text();
      const n = log.length;
      const [early, mid] = [sizeOf(checkpoints.early), sizeOf(checkpoints.mid)];
      expect(sizeOf(current)).toBe(n);
      expect(0 < early && early < mid && mid < n - 1).toBe(true);

      // Every case keeps every signature valid: only what is served (which lines, which checkpoint) changes.
      const serveLog = (lines: string[]) => (route: Route) => route.fulfill({ status: 200, contentType: 'application/x-ndjson', body: lines.map((l) => `${l}\n`).join('') });
      /** The first checkpoint request gets `first`, the later ones `then` (undefined: the instance's own). */
      const serveCheckpoints = (first: string, then?: string) => {
        let asked = 0;
        return (route: Route) => (asked++ === 0 || then !== undefined ? route.fulfill({ status: 200, contentType: 'text/plain', body: asked === 1 ? first : then! }) : route.continue());
      };
      const audit = async (handlers: { log?: (r: Route) => Promise<void>; checkpoint?: (r: Route) => Promise<void>; proof?: (r: Route) => Promise<void> }) => {
        // By path: the page also asks for the cosigned checkpoint (`?cosigned=1`), left alone here.
        const at = (path: string) => (u: URL) => u.pathname === `/api/v1/circles/${kitchen}/${path}` && (path !== 'checkpoint' || u.search === '');
        const patterns = { log: at('log'), checkpoint: at('checkpoint'), proof: at('proof/consistency') };
        for (const k of Object.keys(handlers) as Array<keyof typeof patterns>) await a.route(patterns[k], handlers[k]!);
        try {
          return await runAudit(a, `${url}/circles/${kitchen}/audit`);
        } finally {
          for (const k of Object.keys(handlers) as Array<keyof typeof patterns>) await a.unroute(patterns[k]);
        }
      };

      // Not failures: a checkpoint that has not caught up covers what it covers, and no more.
      const stale = await audit({ checkpoint: serveCheckpoints(checkpoints.early, checkpoints.early) });
      expect(stale.verdict).toBe(`✔ Checked in your browser: ${n} entries, 1 tallies recomputed; the first ${early} of them are in a checkpoint signed by test.archipel.example.`);
      expect(stale.uncovered).toContain(`Entries from #${early} on (${n - early})`);
      expect(stale.rows).toHaveLength(n);
      for (const [seq, check] of stale.rows) expect(check).toBe(seq < early ? '✔ verified' : '✎ signed; not yet in a signed checkpoint');
      await noAxeViolations(a, 'audit, entries not yet covered');
      await shot(a, 'audit-uncovered');
      // ... a newer one then joined to the log by a consistency proof covers up to its size,
      const middle = await audit({ checkpoint: serveCheckpoints(checkpoints.early, checkpoints.mid) });
      expect(middle.verdict).toMatch(new RegExp(`^✔ Checked in your browser: ${n} entries, 1 tallies recomputed; the first ${mid} of them`));
      expect(middle.uncovered).toContain(`Entries from #${mid} on`);
      for (const [seq, check] of middle.rows) expect(check.startsWith('✔')).toBe(seq < mid);
      // ... and the instance's own, asked again after the log, covers it all.
      const caughtUp = await audit({ checkpoint: serveCheckpoints(checkpoints.early) });
      expect(caughtUp.verdict).toMatch(new RegExp(`^✔ Verified in your browser: ${n} entries, 1 tallies recomputed, checkpoint signed by`));
      expect(caughtUp.uncovered).toBeNull();
      for (const [, check] of caughtUp.rows) expect(check).toBe('✔ verified');
      // A log read shorter than the instance's newer checkpoint is joined to it by a proof too.
      const shorter = await audit({ checkpoint: serveCheckpoints(checkpoints.early), log: serveLog(log.slice(0, mid + 1)) });
      expect(shorter.verdict).toMatch(new RegExp(`^✔ Verified in your browser: ${mid + 1} entries`));
      expect(shorter.uncovered).toBeNull();

      // Failures.
      const failures: Array<[string, Parameters<typeof audit>[0], RegExp]> = [
        ['the last entry dropped', { log: serveLog(log.slice(0, -1)) }, /checkpoint: CHECKPOINT_AHEAD/],
        ['an entry in the middle dropped', { log: serveLog([...log.slice(0, mid), ...log.slice(mid + 1)]) }, new RegExp(`log #${mid}: BAD_SEQ`)],
        ['the last entry moved in time (its signature still valid)', { log: serveLog([...log.slice(0, -1), laterRecordedAt(log[n - 1])]) }, /checkpoint: ROOT_MISMATCH/],
        ['the checkpoint\'s size altered under its signature', { checkpoint: serveCheckpoints(current.replace(`\n${n}\n`, `\n${n - 1}\n`), current.replace(`\n${n}\n`, `\n${n - 1}\n`)) }, /checkpoint: BAD_CHECKPOINT/],
        ['a checkpoint signed by another key', { checkpoint: serveCheckpoints(forged(current), forged(current)) }, /checkpoint: BAD_CHECKPOINT/],
        ['a newer checkpoint signed by another key', { checkpoint: serveCheckpoints(checkpoints.early, forged(current)) }, /checkpoint: BAD_CHECKPOINT/],
        ['the parent\'s checkpoint (valid, another log)', { checkpoint: serveCheckpoints(parentCheckpoint, parentCheckpoint) }, /checkpoint: WRONG_ORIGIN/],
        ['a newer checkpoint older than the first', { checkpoint: serveCheckpoints(checkpoints.mid, checkpoints.early) }, /checkpoint: INCONSISTENT/],
        [
          'a consistency proof altered',
          { checkpoint: serveCheckpoints(checkpoints.early, checkpoints.mid), proof: (r) => alterProof(r) },
          /checkpoint: BAD_PROOF/,
        ],
      ];
      for (const [what, handlers, expected] of failures) {
        const result = await audit(handlers);
        expect({ what, verdict: result.verdict }).toEqual({ what, verdict: expect.stringMatching(/^✘ Verification FAILED: /) });
        expect({ what, verdict: result.verdict }).toEqual({ what, verdict: expect.stringMatching(expected) });
        expect({ what, verified: result.rows.filter(([, check]) => check.startsWith('✔')) }).toEqual({ what, verified: [] });
      }

      // The replay in the page: a tally.result whose figures differ from the votes it counts. The
      // instance's key signs it, which the test does not hold; so the test serves the whole instance
      // as one under a key of its own (its well-known key, every system statement re-signed, every
      // entry's prev and the checkpoint recomputed), first faithfully (it verifies: the rewrite
      // itself is sound), then with the tally's figures changed (the replay must refuse it).
      const wk = (await (await fetch(`${url}/.well-known/archipel.json`)).json()) as { name: string; kid: string };
      const registry = (await (await fetch(`${url}/api/v1/registry/log`)).text()).split('\n').filter((l) => l !== '');
      const impostor = StatementSigner.generate();
      const asImpostor = (alter: (payload: { type: string; body: Record<string, unknown> }) => void) => {
        const rewrite = (lines: string[]) => resign(lines, wk.kid, impostor, alter);
        const circleLog = rewrite(log);
        const origin = `${wk.name}/circles/${kitchen}`;
        const checkpoint = signNote(formatCheckpoint(origin, n, rootFromLeafHashes(circleLog.leaves)), wk.name, impostor.rawPublicKey, (m) => impostor.signBytes(m));
        return { wellKnown: { ...wk, kid: impostor.id, jwk: impostor.publicJwk, noteKey: formatVerifierKey(wk.name, impostor.rawPublicKey) }, registry: rewrite(registry).lines, log: circleLog.lines, checkpoint };
      };
      const replayAudit = async (world: ReturnType<typeof asImpostor>) => {
        const wellKnown = (u: URL) => u.pathname === '/.well-known/archipel.json';
        const registryLog = (u: URL) => u.pathname === '/api/v1/registry/log';
        await a.route(wellKnown, (r) => r.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(world.wellKnown) }));
        await a.route(registryLog, serveLog(world.registry));
        try {
          return await audit({ log: serveLog(world.log), checkpoint: serveCheckpoints(world.checkpoint, world.checkpoint) });
        } finally {
          await a.unroute(wellKnown);
          await a.unroute(registryLog);
        }
      };
      const faithful = await replayAudit(asImpostor(() => undefined));
      expect(faithful.verdict).toMatch(new RegExp(`^✔ Verified in your browser: ${n} entries, 1 tallies recomputed`));
      let altered = 0;
      const lying = await replayAudit(
        asImpostor((p) => {
          if (p.type !== 'tally.result') return;
          const totals = p.body.totals as { Y: number; N: number };
          [totals.Y, totals.N] = [totals.Y - 1, totals.N + 1];
          altered++;
        }),
      );
      expect(altered).toBe(1);
      expect(lying.verdict).toMatch(/^✘ Verification FAILED: replay #\d+: TALLY_MISMATCH/);
      expect(lying.rows.filter(([, check]) => check.startsWith('✔'))).toEqual([]);
    });

    it('moves the regime by the cursor, amends a motion, and splits the circle', async () => {
      if (!ids.kitchen) throw new Error('the first test did not get to its circles');
      const { url } = app;
      const a = alice.page;
      const b = bob.page;

      // The cursor: Alice (carrying Bob's circle-scoped delegation) places it on "amendment".
      await a.goto(`${url}/circles/${ids.kitchen}`);
      await a.locator('.live.on').waitFor();
      await a.getByRole('radio', { name: 'Amendment' }).check();
      await a.getByRole('button', { name: 'Save my position' }).click();
      await a.getByText('Position recorded.').waitFor();
      await a.getByText('Current regime: Amendment').waitFor({ timeout: 30_000 });
      await a.getByTestId('cursor-summary').filter({ hasText: '2 of 2 weight cast; the median now: Amendment' }).waitFor();

      // A motion under the amendment regime, then an amendment to it during its amending phase.
      await a.locator('#p-title').fill('Paint the door');
      await a.locator('#p-text').fill('We paint the door red.');
      await a.locator('#p-minutes').fill(String(40 / 60));
      await a.getByRole('button', { name: 'Open the proposal' }).click();
      await a.getByRole('heading', { name: 'Paint the door' }).waitFor();
      const motion = a.url().split('/').pop()!;
      await a.goto(`${url}/circles/${ids.kitchen}`);
      await a.locator('#p-kind').selectOption('amendment');
      await a.locator('#p-target').selectOption(motion);
      await a.locator('#p-title').fill('Blue rather');
      await a.locator('#p-text').fill('Blue goes with the walls.');
      await a.locator('#p-find').fill('red');
      await a.locator('#p-replace').fill('blue');
      await a.getByRole('button', { name: 'Open the proposal' }).click();
      await a.getByRole('heading', { name: 'Blue rather' }).waitFor();
      await a.getByRole('button', { name: 'Vote', exact: true }).click();
      await a.getByText('Vote recorded.').waitFor();

      // Once amending is over, the motion is voted on its amended text.
      await a.goto(`${url}/proposals/${motion}`);
      const voting = async () => {
        for (let i = 0; i < 150; i++) {
          await a.getByRole('button', { name: 'Vote', exact: true }).click();
          // Refused (WRONG_PHASE) while the motion is still amending: try again shortly.
          const done = await a.getByText('Vote recorded.').waitFor({ timeout: 2_000 }).then(() => true, () => false);
          if (done) return;
          await a.waitForTimeout(500);
        }
        throw new Error('the motion never accepted a vote');
      };
      await voting();
      await a.getByTestId('result').filter({ hasText: 'Adopted' }).waitFor({ timeout: 60_000 });
      await a.locator('.text').filter({ hasText: 'We paint the door blue.' }).first().waitFor();

      // A split: Bob chooses to leave; he ends up in the new circle, a sibling of Kitchen.
      await a.goto(`${url}/circles/${ids.kitchen}`);
      await a.locator('#p-kind').selectOption('split');
      await a.locator('#p-title').fill('Bakery apart');
      await a.locator('#p-text').fill('Those who bake go on their own.');
      await a.locator('#p-name').fill('Bakery');
      await a.locator('#p-minutes').fill(String(15 / 60));
      await a.getByRole('button', { name: 'Open the proposal' }).click();
      await a.getByRole('heading', { name: 'Bakery apart' }).waitFor();
      const split = a.url().split('/').pop()!;
      await b.goto(`${url}/proposals/${split}`);
      await b.getByRole('radio', { name: 'Partir' }).check();
      await b.getByRole('button', { name: 'Voter', exact: true }).click();
      await b.getByText('Vote enregistré.').waitFor();
      await b.getByTestId('result').filter({ hasText: 'Scindée' }).waitFor({ timeout: 60_000 });
      // The fork itself is executed by a worker after the tally: her home page shows it once done.
      await b.goto(url);
      for (let i = 0; i < 60 && (await b.getByRole('link', { name: 'Bakery' }).count()) === 0; i++) {
        await b.waitForTimeout(500);
        await b.reload();
      }
      await b.getByRole('link', { name: 'Bakery' }).waitFor();
      await a.goto(`${url}/circles`);
      const tree = a.locator('ul.tree li', { hasText: 'Federation' });
      await tree.getByRole('link', { name: 'Kitchen' }).waitFor();
      await tree.getByRole('link', { name: 'Bakery' }).waitFor();
      await expect(tree.locator('li', { hasText: 'Bakery' }).textContent()).resolves.toContain('fork of Kitchen');
      // The fork is a sibling of Kitchen under Federation, not nested in it.
      const placement = await a.evaluate(
        ({ parent, kitchen }) => {
          const item = (href: string) => document.querySelector(`ul.tree a[href="${href}"]`)!.closest('li')!;
          const bakery = Array.from(document.querySelectorAll('ul.tree a')).find((x) => x.textContent === 'Bakery')!.closest('li')!;
          const [k, f] = [item(`/circles/${kitchen}`), item(`/circles/${parent}`)];
          return { siblings: k.parentElement === bakery.parentElement, underFederation: k.parentElement!.closest('li') === f, nested: k.contains(bakery) };
        },
        { parent: ids.parent, kitchen: ids.kitchen },
      );
      expect(placement).toEqual({ siblings: true, underFederation: true, nested: false });
      await noAxeViolations(a, 'federation');
      await shot(a, 'federation');
    });

    it('invites by her link, revokes a delegation, and leaves a circle', async () => {
      if (!ids.parent) throw new Error('the first test did not get to its circles');
      const { url } = app;
      const a = alice.page;
      const carol = await memberBrowser(browser, 'en-GB');
      const c = carol.page;
      const carolId = await register(carol, url, 'Carol', /Create my identity/, /I have kept/);

      // Her link, from her page, opened by Alice: she picks the circle to invite her into.
      const link = await c.locator('#link').inputValue();
      expect(link).toBe(`${url}/join/${carolId}`);
      await a.goto(link);
      await a.getByRole('heading', { name: 'Invite Carol' }).waitFor();
      await a.getByRole('button', { name: 'Invite — Federation' }).click();
      await a.getByText('Invitation recorded.').waitFor();
      await c.goto(url);
      await c.getByRole('button', { name: 'Accept — Federation' }).click();
      await c.getByRole('link', { name: 'Federation' }).waitFor();
      // (the invitation's own row may already name the circle: the membership is waited for, not assumed)
      await eventually(async () => ((await (await fetch(`${url}/api/v1/circles/${ids.parent}`)).json()) as { members: string[] }).members.includes(carolId), 10_000, 'Carol in the circle');

      // She delegates to Alice, then revokes it: nothing delegated, here or in the service.
      await c.goto(`${url}/circles/${ids.parent}`);
      await c.locator('#d-to').selectOption(ids.alice);
      await c.getByRole('button', { name: 'Delegate', exact: true }).click();
      await c.getByText('Delegation recorded.').waitFor();
      const delegations = async () => ((await (await fetch(`${url}/api/v1/members/${carolId}/delegations`)).json()) as { outgoing: unknown[] }).outgoing;
      expect(await delegations()).toHaveLength(1);
      await c.getByRole('button', { name: 'Revoke', exact: true }).click();
      await c.getByText('Delegation revoked.').waitFor();
      await c.getByText('You delegate nothing in this circle.').waitFor();
      expect(await delegations()).toEqual([]);

      // She leaves, after confirming; her circles no longer list it, nor the circle her.
      c.once('dialog', (d) => void d.accept());
      await c.getByRole('button', { name: 'Leave this circle' }).click();
      await c.waitForURL(`${url}/`);
      await c.getByRole('heading', { name: 'My circles' }).waitFor();
      await eventually(async () => !((await (await fetch(`${url}/api/v1/circles/${ids.parent}`)).json()) as { members: string[] }).members.includes(carolId), 10_000, 'Carol out of the circle');
      await c.reload();
      await c.getByText('You are not a member of any circle yet', { exact: false }).waitFor();
      await carol.context.close();
    });
  });
});

function payloadOf(line: string): string {
  const { jws } = JSON.parse(line) as { jws: string };
  return Buffer.from(jws.split('.')[1], 'base64url').toString();
}

function tamperVote(line: string): string {
  const entry = JSON.parse(line) as { jws: string };
  const [h, p, s] = entry.jws.split('.');
  const payload = Buffer.from(p, 'base64url').toString().replace('"choice":"yes"', '"choice":"no"');
  entry.jws = [h, Buffer.from(payload).toString('base64url'), s].join('.');
  // Keep the entry's members in their order: the line stays well-formed JSON, only the vote changed.
  return JSON.stringify(entry);
}

/** The size a checkpoint note states (its second line). */
function sizeOf(note: string): number {
  return Number(note.split('\n')[1]);
}

/** The same checkpoint text, signed under the instance's name by a key the test made. */
function forged(note: string): string {
  const text = note.slice(0, note.indexOf('\n\n') + 1);
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const name = note.split('\n')[0].split('/')[0];
  return signNote(text, name, raw, (m) => sign(null, m, privateKey));
}

/** The entry as recorded a year later: its statement (and signature) untouched, its leaf hash not. */
function laterRecordedAt(line: string): string {
  const entry = JSON.parse(line) as { recordedAt: string };
  const year = Number(entry.recordedAt.slice(0, 4)) + 1;
  return JSON.stringify({ ...entry, recordedAt: `${year}${entry.recordedAt.slice(4)}` });
}

/** The instance's consistency proof with its first hash replaced. */
async function alterProof(route: Route): Promise<void> {
  const res = await route.fetch();
  const proof = (await res.json()) as { path: string[] };
  expect(proof.path.length).toBeGreaterThan(0);
  proof.path[0] = Buffer.alloc(32, 7).toString('base64url');
  await route.fulfill({ response: res, body: JSON.stringify(proof) });
}

/** Runs the audit page's verification: its verdict, the "not yet covered" notice, and every row's seq and check. */
async function runAudit(page: Page, url: string): Promise<{ verdict: string; uncovered: string | null; rows: Array<[number, string]> }> {
  await page.goto(url);
  await page.getByRole('button', { name: 'Verify now' }).click();
  const verdict = page.getByTestId('audit-verdict');
  await verdict.waitFor({ timeout: 30_000 });
  const uncovered = page.getByTestId('audit-uncovered');
  const rows = await page.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [Number(tr.children[0].textContent), tr.children[4].textContent ?? ''] as [number, string]));
  return { verdict: (await verdict.textContent())!, uncovered: (await uncovered.count()) > 0 ? await uncovered.textContent() : null, rows };
}

/**
 * A log as another instance key would have written it: every statement `kid` signed, signed again
 * by `signer` (its payload first passed to `alter`), and every entry's `prev` the leaf hash of the
 * entry before as rewritten. Members' statements are kept byte for byte.
 */
function resign(lines: string[], kid: string, signer: StatementSigner, alter: (payload: { type: string; body: Record<string, unknown> }) => void): { lines: string[]; leaves: Uint8Array[] } {
  const out: string[] = [];
  const leaves: Uint8Array[] = [];
  for (const line of lines) {
    const entry = JSON.parse(line) as LogEntry;
    const [h, p] = entry.jws.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { kid: string; jwk?: unknown };
    if (header.kid === kid) {
      const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as { type: string; body: Record<string, unknown> };
      alter(payload);
      entry.jws = signer.signRaw({ ...header, kid: signer.id, ...(header.jwk ? { jwk: signer.publicJwk } : {}) }, canonicalJson(payload));
    }
    if (leaves.length > 0) entry.prev = prevOf(leaves[leaves.length - 1]);
    const encoded = encodeEntry(entry);
    out.push(encoded.line);
    leaves.push(encoded.leaf);
  }
  return { lines: out, leaves };
}
