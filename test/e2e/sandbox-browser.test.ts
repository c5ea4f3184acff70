/**
 * The sandbox as a newcomer uses it, in headless Chromium (Debian's package, driven by playwright-core):
 * the page, a command and its ephemeral confirmation, the modal with a field error, demo data and the
 * scheduled leaderboard arriving with its chart when the clock reaches Monday 09:00, a rep's Home tab, and a
 * rep refused by /sales-admin. Screenshots of each screen are saved under test/artifacts/ for a person to look at.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { and, eq } from 'drizzle-orm';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activities } from '../../src/db/schema/index.js';
import { createLogger } from '../../src/lib/logger.js';
import { SANDBOX_PEOPLE, SANDBOX_TEAM_ID } from '../../src/sandbox/index.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/start.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve('test/artifacts');
/** The sandbox's time for this test: Friday 27 November 2026, 10:00 in New York. Its clock runs on from there. */
const START = Date.parse('2026-11-27T15:00:00Z');

const person = (handle: string) => SANDBOX_PEOPLE.find((p) => p.handle === handle)!;
const grace = person('grace');
const ana = person('ana');
const ben = person('ben');

let sandbox: RunningSandbox;
let browser: Browser;
let page: Page;
let dataDir: string;
const dialogs: string[] = [];
const pageErrors: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `sandbox-${name}.png`), fullPage: false });
}

async function actAs(userId: string): Promise<void> {
  await page.selectOption('#person', userId);
}

async function openChannel(name: string): Promise<void> {
  await page.getByRole('link', { name, exact: true }).click();
  await expect.poll(() => page.locator('#conv-head h1').textContent()).toContain(name);
}

async function type(text: string): Promise<void> {
  const input = page.locator('#composer-input');
  await input.fill(text);
  await input.press('Escape'); // closes the command list, if it is open
  await input.press('Enter');
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: apt-get update && apt-get install -y chromium (.ci/run does this).`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'sales-pulse-sandbox-'));
  const logger = createLogger('warn', new Writable({ write: (_chunk, _enc, done) => done() }));
  const shift = START - Date.now();
  sandbox = await startSandbox({ dataDir, port: 0, logLevel: 'warn', logger, baseClock: { now: () => new Date(Date.now() + shift) }, startScheduler: false });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(sandbox.url);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await sandbox?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the sandbox in a browser', () => {
  it('shows a small workspace: channels, the app, and a person switcher with an admin, a manager and six reps', async () => {
    await expect.poll(() => page.locator('#conv-head h1').textContent()).toBeTruthy();
    for (const name of ['sales', 'sales-east', 'general']) await expect(page.getByRole('link', { name, exact: true }).count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: /Sales Pulse/ }).count()).resolves.toBe(1);
    const people = await page.locator('#person option').allTextContents();
    expect(people).toHaveLength(8);
    expect(people.filter((p) => p.includes('· rep ·'))).toHaveLength(6);
    expect(people.some((p) => p.includes('admin'))).toBe(true);
    expect(people.some((p) => p.includes('manager'))).toBe(true);
    await expect(page.locator('.sandbox-banner').textContent()).resolves.toContain('Local sandbox');
    await shot('01-workspace');
  });

  it('/log-call Acme 15m #connected: the rep sees the ephemeral confirmation, stored; nobody else sees it', async () => {
    await actAs(ana.id);
    await openChannel('sales');
    const input = page.locator('#composer-input');
    await input.fill('/log-c');
    // The command list comes from manifest.yml, with its usage hint.
    await expect.poll(() => page.locator('#completions').isVisible()).toBe(true);
    await expect(page.locator('#completions').textContent()).resolves.toContain('/log-call');
    await shot('02-completion');
    await type('/log-call Acme 15m #connected');
    const confirmation = page.locator('article.msg-ephemeral', { hasText: 'Logged 1 call' });
    await confirmation.waitFor();
    await expect(confirmation.textContent()).resolves.toContain('Only visible to you');
    await expect(confirmation.getByRole('button', { name: 'Undo' }).count()).resolves.toBe(1);
    await shot('03-logged');
    const rows = await sandbox.database.db
      .select()
      .from(activities)
      .where(and(eq(activities.teamId, SANDBOX_TEAM_ID), eq(activities.userId, ana.id)));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ typeKey: 'call', account: 'Acme', outcome: 'connected', durationMinutes: 15 });

    await actAs(ben.id);
    await expect.poll(() => page.locator('article.msg', { hasText: 'Logged 1 call' }).count()).toBe(0);
  });

  it('/log-call alone opens the modal; a type change updates it; a wrong count shows its error under the field; fixed, it logs', async () => {
    await actAs(ana.id);
    await type('/log-call');
    const modal = page.getByRole('dialog');
    await modal.waitFor();
    await modal.getByLabel('…or a new account').fill('Globex');
    // Picking another type updates the modal (block_actions, then views.update): email outcomes, and what was typed stays.
    await modal.getByLabel('Activity').selectOption({ label: 'Email' });
    await expect.poll(() => modal.getByLabel('Outcome').locator('option').allTextContents()).toContain('replied');
    await expect(modal.getByLabel('…or a new account').inputValue()).resolves.toBe('Globex');
    await modal.getByLabel('How many').fill('0');
    await modal.getByRole('button', { name: 'Save' }).click();
    const error = modal.locator('.bk-error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toContain('Enter a whole number from 1 to 100');
    // The error sits under the How many field, and what was typed is kept.
    await expect(modal.locator('.bk-has-error').textContent()).resolves.toContain('How many');
    await expect(modal.getByLabel('How many').inputValue()).resolves.toBe('0');
    await shot('04-modal-error');
    await modal.getByLabel('How many').fill('3');
    await modal.getByRole('button', { name: 'Save' }).click();
    await modal.waitFor({ state: 'detached' });
    await page.locator('article.msg', { hasText: 'Logged 3 emails with Globex' }).first().waitFor();
    await shot('05-modal-logged');
  });

  it('the account search suggests existing accounts as you type (from the bot); picking one logs it', async () => {
    await actAs(ana.id);
    await type('/log-call');
    const modal = page.getByRole('dialog');
    await modal.waitFor();
    await modal.getByLabel('Search: Account', { exact: true }).fill('GLOB');
    const select = modal.locator('select[data-type="external_select"]');
    await expect.poll(() => select.locator('option').allTextContents()).toContain('Globex');
    await select.selectOption({ label: 'Globex' });
    await shot('05b-account-suggestions');
    await modal.getByRole('button', { name: 'Save' }).click();
    await modal.waitFor({ state: 'detached' });
    await page.locator('article.msg', { hasText: 'Logged 1 call with Globex' }).first().waitFor();
    const rows = await sandbox.database.db
      .select()
      .from(activities)
      .where(and(eq(activities.teamId, SANDBOX_TEAM_ID), eq(activities.userId, ana.id), eq(activities.typeKey, 'call'), eq(activities.account, 'Globex')));
    expect(rows).toHaveLength(1);
  });

  it('demo data, then the clock at Monday 09:00: the weekly leaderboard arrives in #sales with its chart in the thread', async () => {
    await actAs(grace.id);
    await openChannel('sales');
    await page.getByRole('button', { name: 'Load demo data' }).click();
    await expect.poll(() => page.locator('#notice').textContent(), { timeout: 60_000 }).toMatch(/Loaded/);
    await page.getByRole('button', { name: 'Next Monday 09:00' }).click();
    await expect.poll(() => page.locator('#clock-label').textContent(), { timeout: 30_000 }).toContain('Mon, Nov 30, 9:00');
    const board = page.locator('article.msg:not(.msg-ephemeral)', { hasText: 'Leaderboard' }).first();
    await board.waitFor({ timeout: 30_000 });
    await board.getByRole('button', { name: /repl(y|ies)/ }).click();
    const chart = page.locator('#thread img').first();
    await chart.waitFor();
    await expect.poll(() => chart.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await chart.scrollIntoViewIfNeeded();
    await shot('06-leaderboard');
    // The README's screenshot: refreshed on request, so a test run leaves the work tree clean.
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1') {
      await page.setViewportSize({ width: 1600, height: 1000 });
      await chart.scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.resolve('docs/sandbox-leaderboard.png') });
      await page.setViewportSize({ width: 1360, height: 860 });
    }
    // The story demo data tells: the busiest rep has closed nothing yet.
    await expect(board.textContent()).resolves.toMatch(/Ana is the most active \(\d+ activities, no revenue yet\)/);
  });

  it('a rep opens the Home tab and sees their own dashboard', async () => {
    await actAs(ben.id);
    await page.getByRole('link', { name: /Sales Pulse/ }).click();
    const home = page.locator('section.home-view');
    await home.waitFor();
    await expect(home.textContent()).resolves.toMatch(/Ben|this week|Log activity/i);
    await expect(home.getByRole('button', { name: /Log activity/ }).count()).resolves.toBeGreaterThan(0);
    await shot('07-home');
  });

  it("a rep's /sales-admin is refused", async () => {
    await actAs(ben.id);
    await openChannel('sales');
    await type('/sales-admin celebrations #sales');
    const refusal = page.locator('article.msg-ephemeral', { hasText: /admin/i }).last();
    await refusal.waitFor();
    await expect(refusal.textContent()).resolves.toMatch(/only|admins/i);
    await shot('08-admin-refused');
  });

  it("the admin's /sales-admin opens the settings; Teams shows the demo's East AEs with its manager and members", async () => {
    await actAs(grace.id);
    await openChannel('sales');
    await type('/sales-admin');
    const modal = page.getByRole('dialog');
    await modal.waitFor();
    await expect(modal.textContent()).resolves.toMatch(/Teams[\s\S]*Roles[\s\S]*Calendar[\s\S]*Activity types[\s\S]*Currency[\s\S]*Notifications/);
    await shot('09-settings');
    await modal.getByRole('button', { name: /Open/ }).first().click();
    // The pushed Teams view: the team with its manager (the home above only names it).
    await expect.poll(() => modal.textContent(), { timeout: 15_000 }).toMatch(/Mia/);
    await expect(modal.textContent()).resolves.toContain('East AEs');
    await shot('10-settings-teams');
    await page.keyboard.press('Escape');
  });

  it('what people type is shown as text, never run as markup', async () => {
    await actAs(ben.id);
    await type('<script>alert(1)</script><img src=x onerror=alert(2)>');
    await page.locator('article.msg', { hasText: '<script>alert(1)</script>' }).waitFor();
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
