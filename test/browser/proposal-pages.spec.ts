/// <reference lib="dom" />
// A circle's proposals on its page, a page of 20 at a time: "More proposals" follows the route's
// `next` cursor, the filters ask the route for one phase, and a live update keeps every page shown.
import type { Browser, Page } from 'playwright-core';
import { formatTimestamp } from '../../src/core/formats/canonical-json';
import { startTestApp, TestApp } from '../support/app';
import { describeWithChromium, launchChromium, memberBrowser, noAxeViolations } from '../support/browser';
import { ApiClient } from '../support/client';
import { describeWithServer } from '../support/database-urls';

describeWithServer('web app: a circle with many proposals', () => {
  describeWithChromium('its proposal list', () => {
    let app: TestApp;
    let browser: Browser;

    beforeAll(async () => {
      app = await startTestApp();
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await app?.close();
    });

    it('shows 20, then more with the cursor, filters by phase, and keeps the pages shown when a proposal arrives', async () => {
      const api = new ApiClient(app.url);
      const alice = await api.register('Alice');
      const circle = await api.circle(alice, 'Atelier', { regime: 'unanimity' });
      const closesAt = formatTimestamp(Date.now() + 3_600_000);
      const open = (i: number) => api.act(alice, 'proposal.open', circle, { kind: 'motion', title: `Motion ${String(i).padStart(2, '0')}`, text: `Text ${i}.`, closesAt });
      for (let i = 1; i <= 23; i++) await open(i);

      const { page } = await memberBrowser(browser, 'fr-FR', { width: 390, height: 844 });
      await page.goto(app.url);
      await page.locator('#name').fill('Zoé');
      await page.locator('#name').press('Enter');
      await page.getByTestId('recovery-done').click();
      await page.locator('nav').waitFor();
      await page.goto(`${app.url}/circles/${circle}`);
      await page.locator('.live.on').waitFor();

      const titles = (p: Page) => p.getByTestId('proposal-list').locator('li a').allTextContents();
      await page.getByText('20 affichées.').waitFor();
      const first = await titles(page);
      expect(first).toEqual(Array.from({ length: 20 }, (_, i) => `Motion ${String(23 - i).padStart(2, '0')}`));
      await page.getByRole('button', { name: 'Plus de propositions' }).click();
      await page.getByText('23 affichées.').waitFor();
      expect((await titles(page)).slice(20)).toEqual(['Motion 03', 'Motion 02', 'Motion 01']);
      expect(await page.getByRole('button', { name: 'Plus de propositions' }).count()).toBe(0);
      await noAxeViolations(page, 'circle page, proposals paged (fr, phone)');

      // A new proposal arrives on the open page: the 24 are shown, the older pages kept.
      await open(24);
      await page.getByText('24 affichées.').waitFor({ timeout: 10_000 });
      expect((await titles(page))[0]).toBe('Motion 24');
      expect((await titles(page)).at(-1)).toBe('Motion 01');

      // Filters: the route's status, each from its first page again.
      await page.getByRole('radio', { name: 'Clos' }).check();
      await page.getByText('Aucune proposition dans cette phase.').waitFor();
      await page.getByRole('radio', { name: 'Amendements' }).check();
      await page.getByText('Aucune proposition dans cette phase.').waitFor();
      await page.getByRole('radio', { name: 'Vote' }).check();
      await page.getByText('20 affichées.').waitFor();
      expect((await titles(page))[0]).toBe('Motion 24');
      await page.getByRole('radio', { name: 'Toutes' }).check();
      await page.getByText('20 affichées.').waitFor();
    });
  });
});
