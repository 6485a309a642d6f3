/// <reference lib="dom" />
// Keys over time in the web app (SPEC §11), against the real service: one member, Alice, on two
// devices (two browser contexts). Her laptop is added from her phone, votes, and revokes the
// phone's key; the phone can no longer act and says why. Then a new phone recovers her identity
// with the recovery words shown at registration, revoking the others; the recovery key itself is
// refused for anything but key changes. No request ever carries a private key or the words.
import { mnemonicToEntropy } from '@scure/bip39';
import { wordlist as english } from '@scure/bip39/wordlists/english';
import type { Browser } from 'playwright-core';
import { StatementSigner } from '../../src/core/formats/statement-signer';
import { startTestApp, TestApp } from '../support/app';
import { describeWithChromium, launchChromium, memberBrowser, MemberBrowser, noAxeViolations, shot } from '../support/browser';
import { describeWithServer } from '../support/database-urls';

describeWithServer('web app: keys over time', () => {
  describeWithChromium('one member, several devices', () => {
    let app: TestApp;
    let browser: Browser;
    let phone: MemberBrowser;
    let laptop: MemberBrowser;
    let newPhone: MemberBrowser;

    beforeAll(async () => {
      app = await startTestApp();
      browser = await launchChromium();
      phone = await memberBrowser(browser, 'en-GB', { width: 390, height: 844 });
      laptop = await memberBrowser(browser, 'en-GB');
      newPhone = await memberBrowser(browser, 'fr-FR', { width: 390, height: 844 });
    });

    afterAll(async () => {
      await browser?.close();
      await app?.close();
    });

    it('adds a second device, votes from it, revokes the first, and recovers on a new one', async () => {
      const { url } = app;
      const p = phone.page;
      const l = laptop.page;

      // Alice registers on her phone and keeps her recovery words.
      await p.goto(url);
      await p.getByLabel('Display name').fill('Alice');
      await p.getByRole('button', { name: 'Create my identity' }).click();
      await p.getByTestId('recovery-words').waitFor();
      const words = (await p.getByTestId('recovery-words').locator('li').allTextContents()).map((w) => w.trim());
      expect(words).toHaveLength(24);
      await p.getByRole('button', { name: /I have kept/ }).click();
      await p.goto(`${url}/me`);
      const alice = (await p.getByTestId('my-id').textContent())!.trim();

      // A circle and an open motion to vote on.
      await p.goto(url);
      await p.locator('#new-name').fill('Garden');
      await p.locator('#new-regime').selectOption('unanimity');
      await p.getByRole('button', { name: 'Create', exact: true }).click();
      await p.getByRole('heading', { name: /Garden/ }).waitFor();
      const circle = p.url().split('/').pop()!;
      await p.locator('#p-title').fill('Plant apple trees');
      await p.locator('#p-text').fill('We plant three apple trees along the fence.');
      await p.locator('#p-minutes').fill('30');
      await p.getByRole('button', { name: 'Open the proposal' }).click();
      await p.getByRole('heading', { name: 'Plant apple trees' }).waitFor();
      const proposal = p.url().split('/').pop()!;

      // The laptop: not registered; it creates its key and waits to be added.
      await l.goto(url);
      await l.getByRole('button', { name: 'Add this device to my identity' }).click();
      await l.getByRole('heading', { name: 'Waiting to be added' }).waitFor();
      await noAxeViolations(l, 'waiting device');
      await shot(l, 'device-waiting');
      const link = await l.locator('#device-link').inputValue();
      const code = (await l.getByTestId('device-code').textContent())!.trim();
      expect(link).toBe(`${url}/device/${code}`);
      // A reload keeps the same waiting key (it is in IndexedDB).
      await l.reload();
      await expect(l.getByTestId('device-code').textContent()).resolves.toBe(code);

      // The phone opens the link and signs member.key.add for it; a bad code is refused first.
      await p.goto(`${url}/device/not-a-code`);
      await p.getByRole('button', { name: 'Add this device', exact: true }).click();
      await p.getByRole('alert').filter({ hasText: 'This is not a device link or code' }).waitFor();
      await p.goto(link);
      await p.locator('#device-code').waitFor();
      await expect(p.locator('#device-code').inputValue()).resolves.toBe(code);
      await p.getByRole('button', { name: 'Add this device', exact: true }).click();
      await p.getByText('Device added').waitFor();

      // The laptop finds itself added: it is Alice, with a key of its own.
      await l.getByRole('heading', { name: 'My circles' }).waitFor({ timeout: 15_000 });
      await l.getByRole('link', { name: 'Garden' }).waitFor();
      await l.goto(`${url}/me`);
      await expect(l.getByTestId('my-id').textContent()).resolves.toBe(alice);
      const keys = l.getByTestId('keys').locator('li');
      await keys.nth(1).waitFor();
      await expect(keys.count()).resolves.toBe(2);
      await expect(keys.nth(1).textContent()).resolves.toContain('this device');
      await expect(keys.nth(0).textContent()).resolves.toContain('registration key');
      await noAxeViolations(l, 'my devices');

      // The laptop votes.
      await l.goto(`${url}/proposals/${proposal}`);
      await l.getByRole('button', { name: 'Vote', exact: true }).click();
      await l.getByText('Vote recorded.').waitFor();
      await l.getByTestId('my-weight').filter({ hasText: 'Yes' }).waitFor();

      // The phone is lost: the laptop revokes its key, after a confirmation.
      await l.goto(`${url}/me`);
      const phoneKey = keys.nth(0);
      await phoneKey.waitFor();
      await phoneKey.getByRole('button', { name: /Revoke key/ }).click();
      await phoneKey.getByText(/signs? nothing from now on/).waitFor();
      await phoneKey.getByRole('button', { name: 'Cancel' }).click();
      await expect(phoneKey.getByRole('button', { name: 'Yes, revoke it' }).count()).resolves.toBe(0);
      await phoneKey.getByRole('button', { name: /Revoke key/ }).click();
      await shot(l, 'devices');
      await phoneKey.getByRole('button', { name: 'Yes, revoke it' }).click();
      await l.getByText('Key revoked: it signs nothing from now on.').waitFor();
      await phoneKey.getByText(/revoked/).waitFor();
      // This device's own key offers no revocation (a key cannot revoke itself).
      await expect(keys.nth(1).getByRole('button', { name: /Revoke key/ }).count()).resolves.toBe(0);

      // The phone can no longer act, and says so.
      await p.goto(`${url}/proposals/${proposal}`);
      await p.getByTestId('key-banner').filter({ hasText: "This device's key was revoked" }).waitFor();
      await p.getByRole('button', { name: 'Retract my vote' }).click();
      await p.getByRole('alert').filter({ hasText: "This device's key was revoked: it can no longer sign." }).waitFor();
      await shot(p, 'device-revoked-phone');

      // The laptop audits the circle in its page: entries signed by both keys verify.
      await l.goto(`${url}/circles/${circle}/audit`);
      await l.getByRole('button', { name: 'Verify now' }).click();
      await l.getByTestId('audit-verdict').filter({ hasText: 'Verified in your browser' }).waitFor({ timeout: 30_000 });

      // A new phone, in French: recovery with the words kept at registration, revoking the others.
      const n = newPhone.page;
      await n.goto(url);
      await n.getByLabel('Mots de secours').fill('these are not recovery words');
      await n.getByRole('button', { name: 'Récupérer mon identité sur cet appareil' }).click();
      await n.getByRole('alert').filter({ hasText: 'Ce ne sont pas des mots de secours' }).waitFor();
      await n.getByLabel('Mots de secours').fill(words.join(' '));
      await expect(n.getByLabel('Révoquer les clés de mes autres appareils (perdus ou volés)').isChecked()).resolves.toBe(true);
      await noAxeViolations(n, 'welcome with recovery (fr, phone)');
      await shot(n, 'recover-phone-fr');
      await n.getByRole('button', { name: 'Récupérer mon identité sur cet appareil' }).click();
      await n.getByRole('heading', { name: 'Mes cercles' }).waitFor({ timeout: 15_000 });
      await n.goto(`${url}/me`);
      await expect(n.getByTestId('my-id').textContent()).resolves.toBe(alice);
      const after = n.getByTestId('keys').locator('li');
      await after.nth(2).waitFor();
      await expect(after.count()).resolves.toBe(3);
      await expect(after.nth(1).textContent()).resolves.toContain('révoquée');
      await expect(after.nth(2).textContent()).resolves.toContain('cet appareil');
      await shot(n, 'devices-phone-fr');

      // The new phone acts for her; the laptop, revoked by the recovery, no longer can.
      await n.goto(`${url}/proposals/${proposal}`);
      await n.getByRole('button', { name: 'Retirer mon vote' }).click();
      await n.getByText('Vote retiré.').waitFor();
      await l.goto(`${url}/proposals/${proposal}`);
      await l.getByTestId('key-banner').waitFor();

      // The recovery key adds and revokes keys, and signs nothing else.
      const recovery = StatementSigner.fromSeed(mnemonicToEntropy(words.join(' '), english));
      const res = await fetch(`${url}/api/v1/statements`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jws: recovery.sign('vote.cast', circle, { proposal, choice: 'yes' }) }),
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      await expect(res.json()).resolves.toMatchObject({ code: 'RECOVERY_KEY_RESTRICTED' });

      // Every browser sent only signed statements: no private key, no recovery words or seed.
      const secret = recovery.exportPrivateJwk().d;
      const bodies = [...phone.bodies, ...laptop.bodies, ...newPhone.bodies];
      expect(bodies.length).toBeGreaterThan(8);
      for (const body of bodies) {
        expect(Object.keys(JSON.parse(body))).toEqual(['jws']);
        expect(body).not.toMatch(/"d"\s*:/);
        expect(body).not.toContain(secret);
        const { jws } = JSON.parse(body) as { jws: string };
        const [header, payload] = jws.split('.').slice(0, 2).map((part) => Buffer.from(part, 'base64url').toString());
        expect(header).not.toMatch(/"d"\s*:/);
        expect(payload).not.toMatch(/"d"\s*:/);
        expect(payload).not.toContain(secret);
        expect(payload).not.toContain(words.slice(0, 3).join(' '));
      }
    });
  });
});
