/// <reference lib="dom" />
// Witnesses in the web app (SPEC §12.1): two instances that witness each other (quorum 1). A
// circle's page and its audit page on A say its latest checkpoint is cosigned, by which witness
// and up to which entry, read from `GET …/checkpoint?cosigned=1` and opened with A's key in the
// page. (An instance with no witness says "Not cosigned": members-journey.spec.ts.)
import type { Page } from 'playwright-core';
import { eventually } from '../support/app';
import { describeWithChromium, noAxeViolations, registeredAt, shot, twoInstancesInChromium } from '../support/browser';
import { ApiClient } from '../support/client';
import { describeWithServer } from '../support/database-urls';
import { type Instance, witnessEachOther } from '../support/federation';

describeWithServer('web app and witnesses', () => {
  describeWithChromium('a circle whose checkpoints are cosigned', () => {
    const world = twoInstancesInChromium('archipel-web-witnesses-', (a, b) => witnessEachOther([a, b], 1));

    const registeredOn = (instance: Instance, name: string, locale: string): Promise<Page> => registeredAt(world.browser, instance.url, name, locale);

    it('shows on the circle and audit pages that the latest checkpoint is cosigned, and by whom', async () => {
      const { a } = world;
      const onA = new ApiClient(a.url);
      const alice = await onA.register('Alice');
      const circle = await onA.circle(alice, 'Jardin partagé', { regime: 'unanimity' });
      const cosigned = await eventually(async () => {
        const res = await fetch(`${a.url}/api/v1/circles/${circle}/checkpoint?cosigned=1`);
        return res.status === 200 ? res.text() : null;
      }, 45_000, 'a checkpoint of the circle cosigned by b.test');
      const size = Number(cosigned.split('\n')[1]);

      const page = await registeredOn(a, 'Yann', 'en-GB');
      await page.goto(`${a.url}/circles/${circle}`);
      const status = page.getByTestId('witnesses');
      await status.filter({ hasText: 'Cosigned by 1 witness (b.test/witness)' }).waitFor({ timeout: 30_000 });
      expect(await status.textContent()).toContain(`its checkpoint of the log up to entry #${size - 1}`);
      await noAxeViolations(page, 'circle page, cosigned');
      await shot(page, 'circle-witnessed');

      await page.goto(`${a.url}/circles/${circle}/audit`);
      await status.filter({ hasText: 'Cosigned by 1 witness (b.test/witness)' }).waitFor({ timeout: 30_000 });

      // A cosigned checkpoint the instance did not sign is shown as failing, not as cosigned.
      await page.route(`**/api/v1/circles/${circle}/checkpoint?cosigned=1`, async (route) => {
        const res = await route.fetch();
        const note = await res.text();
        await route.fulfill({ response: res, body: note.replace(`\n${size}\n`, `\n${size + 1}\n`) });
      });
      await page.reload();
      await status.filter({ hasText: 'The cosigned checkpoint the instance served does not verify: BAD_CHECKPOINT' }).waitFor();
      expect(await status.textContent()).not.toContain('Cosigned by');
    });
  });
});
