/// <reference lib="dom" />
// Browser tests drive Debian's Chromium (`apt-get install chromium`) through playwright-core;
// Playwright's own browser download is not used. Without Chromium the tests are skipped, saying so.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { type Instance, prepareInstance, startInstance, stopInstance } from './federation';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export function chromiumPresent(): boolean {
  return existsSync(CHROMIUM);
}

/** `describe`, or `describe.skip` with a message when Chromium is missing. */
export function describeWithChromium(name: string, body: () => void): void {
  if (chromiumPresent()) return describe(name, body);
  console.warn(`SKIPPED browser tests "${name}": no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
  describe.skip(name, body);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** A member's browser: its own context (IndexedDB, storage), language, and every request body it sent. */
export interface MemberBrowser {
  context: BrowserContext;
  page: Page;
  bodies: string[];
}

export async function memberBrowser(browser: Browser, locale: string, viewport = { width: 1000, height: 900 }): Promise<MemberBrowser> {
  // bypassCSP: axe-core is injected as an inline script.
  const context = await browser.newContext({ locale, viewport, bypassCSP: true });
  const page = await context.newPage();
  const bodies: string[] = [];
  context.on('request', (r: Request) => {
    const body = r.postData();
    if (body !== null) bodies.push(body);
  });
  page.on('pageerror', (e) => console.error(`[${locale}] page error: ${e.message}`));
  return { context, page, bodies };
}

const AXE_SOURCE = () => readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's violations on the page as it is now (WCAG 2 A and AA rules). */
export async function axeViolations(page: Page): Promise<Array<{ id: string; help: string; nodes: number }>> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE_SOURCE() });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: Array<{ id: string; help: string; nodes: unknown[] }> }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.length }));
  });
}

/** No axe-core violation on the page as it is now (the page named in the failure). */
export async function noAxeViolations(page: Page, what: string): Promise<void> {
  const violations = await axeViolations(page);
  expect({ page: what, violations }).toEqual({ page: what, violations: [] });
}

/** With ARCHIPEL_SCREENSHOTS=<folder>, the whole page saved there as <name>.png (the docs' screenshots). */
export async function shot(page: Page, name: string): Promise<void> {
  const folder = process.env.ARCHIPEL_SCREENSHOTS;
  if (!folder) return;
  mkdirSync(folder, { recursive: true });
  await page.screenshot({ path: join(folder, `${name}.png`), fullPage: true });
}

/** A member registered in a fresh browser on the app at `url` (the welcome page's two steps). */
export async function registeredAt(browser: Browser, url: string, name: string, locale: string): Promise<Page> {
  const { page } = await memberBrowser(browser, locale);
  await page.goto(url);
  await page.locator('#name').fill(name);
  await page.locator('#name').press('Enter');
  await page.getByTestId('recovery-words').waitFor();
  await page.getByTestId('recovery-done').click();
  await page.locator('nav').waitFor();
  return page;
}

/** Two instances and Chromium for one describe block: prepared in a temporary folder, `configure`d, started before its tests, stopped and removed after. */
export function twoInstancesInChromium(prefix: string, configure: (a: Instance, b: Instance) => void): { a: Instance; b: Instance; browser: Browser } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const world = {} as { a: Instance; b: Instance; browser: Browser };
  beforeAll(async () => {
    [world.a, world.b] = [await prepareInstance(dir, 'a.test'), await prepareInstance(dir, 'b.test')];
    configure(world.a, world.b);
    for (const i of [world.a, world.b]) await startInstance(i);
    world.browser = await launchChromium();
  });
  afterAll(async () => {
    await world.browser?.close();
    for (const i of [world.a, world.b]) await stopInstance(i);
    rmSync(dir, { recursive: true, force: true });
  });
  return world;
}
