/// <reference lib="dom" />
// The web app across instances (SPEC §12.2), two instances on this machine: a circle on B under a
// circle on A. On B, the tree and the circle's page name its parent on A as a link into A's own
// app; on A, the parent's page lists its child on B the same way. Members see the federation
// they belong to, whichever instance they registered on.
import type { Page } from 'playwright-core';
import { eventually } from '../support/app';
import { describeWithChromium, noAxeViolations, registeredAt, shot, twoInstancesInChromium } from '../support/browser';
import { ApiClient } from '../support/client';
import { describeWithServer } from '../support/database-urls';
import type { Instance } from '../support/federation';

describeWithServer('web app across instances', () => {
  describeWithChromium('a circle under a circle of another instance', () => {
    const world = twoInstancesInChromium('archipel-web-across-', (a, b) => {
      a.env.FEDERATION_PEERS = `${b.name} ${b.url}`;
      b.env.FEDERATION_PEERS = `${a.name} ${a.url}`;
    });

    const registeredOn = (instance: Instance, name: string, locale: string): Promise<Page> => registeredAt(world.browser, instance.url, name, locale);

    it('links the parent on A from B, and the child on B from A, on the tree and the circle pages', async () => {
      const { a, b } = world;
      const onA = new ApiClient(a.url);
      const onB = new ApiClient(b.url);
      const alice = await onA.register('Alice');
      const root = await onA.circle(alice, 'Fédération des communs', { regime: 'unanimity' });
      expect((await onB.post('/api/v1/federation/members', { member: alice.id, instance: a.name })).status).toBe(200);
      const child = await onB.circle(alice, 'Coopérative du quartier', { parent: `${a.name}/circles/${root}`, regime: 'unanimity' });
      const childRef = `${b.name}/circles/${child}`;
      await eventually(async () => ((await onA.get<{ children: string[] }>(`/api/v1/circles/${root}`)).body.children ?? []).includes(childRef), 20_000, 'A to record its child on B');

      // Zoé registered on B: the tree and the circle page link the parent into A's app.
      const zoe = await registeredOn(b, 'Zoé', 'fr-FR');
      await zoe.goto(`${b.url}/circles`);
      const parentOnTree = zoe.getByRole('link', { name: /sous le cercle .* de a\.test/ });
      await expect(parentOnTree.getAttribute('href')).resolves.toBe(`${a.url}/circles/${root}`);
      await expect(zoe.getByRole('link', { name: 'Coopérative du quartier' }).getAttribute('href')).resolves.toBe(`/circles/${child}`);
      await noAxeViolations(zoe, 'tree on B');
      await shot(zoe, 'tree-remote-parent');
      await zoe.goto(`${b.url}/circles/${child}`);
      const parentOnPage = zoe.getByRole('link', { name: /sous le cercle .* de a\.test/ });
      await expect(parentOnPage.getAttribute('href')).resolves.toBe(`${a.url}/circles/${root}`);
      await noAxeViolations(zoe, 'circle page on B');
      await shot(zoe, 'circle-remote-parent');

      // Yann registered on A: the root's page and the tree list its child on B, linked into B's app.
      const yann = await registeredOn(a, 'Yann', 'en-GB');
      await yann.goto(`${a.url}/circles/${root}`);
      const childOnPage = yann.getByRole('link', { name: /circle .* on b\.test/ });
      await expect(childOnPage.getAttribute('href')).resolves.toBe(`${b.url}/circles/${child}`);
      await noAxeViolations(yann, 'circle page on A');
      await shot(yann, 'circle-remote-child');
      await yann.goto(`${a.url}/circles`);
      await expect(yann.getByRole('link', { name: /circle .* on b\.test/ }).getAttribute('href')).resolves.toBe(`${b.url}/circles/${child}`);

      // Following the link lands on the child's page in B's own app.
      await childOnPage.page().goto(`${a.url}/circles/${root}`);
      await yann.getByRole('link', { name: /circle .* on b\.test/ }).click();
      await yann.waitForURL(`${b.url}/circles/${child}`);
    });
  });
});
