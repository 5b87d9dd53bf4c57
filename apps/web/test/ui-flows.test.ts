import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ServerProcess } from '../../server/test/support/server-process';
import { TargetServer } from '../../server/test/support/target-server';
import { Browser, screenshot } from './support/browser';
import { findChromium } from './support/chromium';

// Runs against the built workspace (npm test builds it first): the real
// server process serves apps/web/build under /ui/ on 127.0.0.1.
const chromium = findChromium();
if ('skipReason' in chromium) console.warn(chromium.skipReason);
const chromiumPath = 'path' in chromium ? chromium.path : '';

const FLOW_TIMEOUT_MS = 120_000;
const WIDTHS = [1280, 375];
const cli = fileURLToPath(new URL('../../server/dist/cli.js', import.meta.url));

/** Marks the document, so a later check can tell that the page was not reloaded. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { __notReloaded: boolean }).__notReloaded = true));
}

async function stillSameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __notReloaded?: boolean }).__notReloaded === true);
}

describe.skipIf(!chromiumPath)('web UI in Chromium', () => {
  let server: ServerProcess;
  let target: TargetServer;
  let browser: Browser;

  beforeAll(async () => {
    target = await new TargetServer().start();
    target.on('/slow', (_request, response) => {
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"slow":true}');
      }, 50);
    });
    server = new ServerProcess();
    await server.start();
    browser = await Browser.launch(chromiumPath);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    await target?.stop();
  });

  for (const width of WIDTHS) {
    it(
      `drives a schedule end to end at ${width} px`,
      async () => {
        const { page, errors } = await browser.newPage(width);
        const targetName = `Hook ${width}`;
        const scheduleName = `Every second ${width}`;

        // Create a target through its form.
        await page.goto(`${server.url}/ui/targets`);
        await page.getByRole('button', { name: 'New target' }).click();
        await page.getByLabel('URL').fill(`${target.url}/slow?width=${width}`);
        await page.getByLabel('Name (optional)').fill(targetName);
        await page.getByRole('button', { name: 'Create target' }).click();
        await expect.poll(() => page.getByTestId('target-row').filter({ hasText: targetName }).count()).toBe(1);
        await screenshot(page, 'targets');

        // Create an INTERVAL schedule. The preview lists its next fires as it is typed.
        await page.goto(`${server.url}/ui/schedules`);
        await page.getByRole('button', { name: 'New schedule' }).click();
        await page.getByLabel('Name (optional)').fill(scheduleName);
        await page.getByLabel('Target').selectOption({ label: `${targetName} (GET ${target.url}/slow?width=${width})` });
        await page.getByLabel('Interval (seconds)').fill('1');
        await expect.poll(() => page.getByTestId('preview-fires').locator('li').count()).toBe(5);
        await screenshot(page, 'schedule-form');
        await page.getByRole('button', { name: 'Create schedule' }).click();
        const row = page.getByTestId('schedule-row').filter({ hasText: scheduleName });
        await expect.poll(() => row.count()).toBe(1);
        await expect.poll(() => row.textContent()).toContain('every 1 s');
        await screenshot(page, 'schedules');

        // Runs appear on the detail page as they happen, without a reload.
        await row.getByRole('link', { name: scheduleName }).click();
        await page.waitForURL(/\/ui\/schedules\/[^/]+$/);
        await markDocument(page);
        await expect.poll(() => page.getByTestId('run-row').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
        const seen = await page.getByTestId('run-row').count();
        await expect.poll(() => page.getByTestId('run-row').count(), { timeout: 15_000 }).toBeGreaterThan(seen);
        expect(await stillSameDocument(page)).toBe(true);
        await screenshot(page, 'schedule-detail');

        // Edit: the form opens with the stored values, and the new interval shows in the cadence.
        await page.getByRole('button', { name: `Edit ${scheduleName}` }).click();
        expect(await page.getByLabel('Interval (seconds)').inputValue()).toBe('1');
        await page.getByLabel('Interval (seconds)').fill('2');
        await page.getByRole('button', { name: 'Save schedule' }).click();
        await expect.poll(() => page.locator('.facts').textContent()).toContain('every 2 s');

        // Pause: the status reads PAUSED, and no scheduled fire reaches the target afterwards.
        await page.getByRole('button', { name: `Pause ${scheduleName}` }).click();
        await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('PAUSED');
        await page.waitForTimeout(500);
        const requestsWhenPaused = target.received.filter((request) => request.path === '/slow').length;
        await page.waitForTimeout(2_000);
        expect(target.received.filter((request) => request.path === '/slow').length).toBe(requestsWhenPaused);

        // Run now: the manual run shows up live.
        await page.getByRole('button', { name: `Run ${scheduleName} now` }).click();
        await expect.poll(() => page.getByTestId('run-row').filter({ hasText: '(run now)' }).count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
        expect(await stillSameDocument(page)).toBe(true);

        // The run detail shows the request and the response.
        await page.getByTestId('run-row').first().getByRole('button').click();
        await expect.poll(() => page.getByTestId('run-detail').textContent()).toContain(`GET ${target.url}/slow?width=${width}`);
        await screenshot(page, 'run-detail');
        await page.getByRole('button', { name: 'Close' }).click();

        // The runs page lists them, with a detail panel.
        await page.goto(`${server.url}/ui/runs`);
        await expect.poll(() => page.getByTestId('run-row').count()).toBeGreaterThan(0);
        await page.getByTestId('run-row').first().getByRole('button').click();
        await expect.poll(() => page.getByTestId('run-detail').count()).toBe(1);
        await screenshot(page, 'runs');

        // The dashboard counts them.
        await page.goto(`${server.url}/ui/`);
        await expect.poll(async () => Number(await page.getByTestId('total-runs').textContent()), { timeout: 15_000 }).toBeGreaterThan(0);
        await screenshot(page, 'dashboard');

        // The theme menu switches to dark colours, the chart included.
        await page.getByLabel('Theme').selectOption('dark');
        expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
        await screenshot(page, 'dashboard-dark');
        await page.getByLabel('Theme').selectOption('system');

        // The target cannot be deleted while the schedule uses it: the server's conflict message is shown.
        await page.goto(`${server.url}/ui/targets`);
        await page.getByRole('button', { name: `Delete ${targetName}` }).click();
        await page.getByRole('button', { name: 'Delete target' }).click();
        await expect.poll(() => page.getByTestId('delete-conflict').textContent()).toContain(scheduleName);
        await screenshot(page, 'target-conflict');
        await page.getByRole('button', { name: 'Close', exact: true }).first().click();

        // Delete the schedule, with its confirmation.
        await page.goto(`${server.url}/ui/schedules`);
        await row.getByRole('link', { name: scheduleName }).click();
        await page.getByRole('button', { name: `Delete ${scheduleName}` }).click();
        await page.getByRole('button', { name: 'Delete schedule' }).click();
        await page.waitForURL(/\/ui\/schedules$/);
        await expect.poll(() => page.getByTestId('schedule-row').filter({ hasText: scheduleName }).count()).toBe(0);

        expect(errors).toEqual([]);
        await page.close();
      },
      FLOW_TIMEOUT_MS,
    );

    it(
      `shows field messages for invalid input at ${width} px`,
      async () => {
        const { page, errors } = await browser.newPage(width);

        await page.goto(`${server.url}/ui/targets`);
        await page.getByRole('button', { name: 'New target' }).click();
        await page.getByLabel('URL').fill('ftp://example.com/file');
        await page.getByLabel('Timeout (ms)').fill('5');
        await page.getByRole('button', { name: 'Create target' }).click();
        await expect.poll(() => page.locator('#target-url-error').textContent()).toBe('Unsupported URL scheme "ftp": only http and https are allowed');
        await expect.poll(() => page.locator('#target-timeout_ms-error').textContent()).toBe('timeout_ms must be at least 100');
        expect(await page.getByLabel('URL').getAttribute('aria-invalid')).toBe('true');
        await screenshot(page, 'target-form-errors');

        // A valid target, so the schedule form can open.
        await page.getByLabel('URL').fill(`${target.url}/ok`);
        await page.getByLabel('Timeout (ms)').fill('1000');
        await page.getByRole('button', { name: 'Create target' }).click();
        await expect.poll(() => page.getByTestId('target-row').count()).toBeGreaterThan(0);

        await page.goto(`${server.url}/ui/schedules`);
        await page.getByRole('button', { name: 'New schedule' }).click();
        await page.getByLabel('Interval (seconds)').fill('0');
        await expect.poll(() => page.locator('[id="schedule-schedule_config.interval_seconds-error"]').textContent()).toBe('interval_seconds must be at least 1');

        // A cron expression is checked by the server, through the preview.
        await page.getByRole('radio', { name: 'CRON' }).check();
        await page.getByLabel('Cron expression').fill('61 * * * *');
        await expect.poll(() => page.locator('[id="schedule-schedule_config.expression-error"]').textContent()).toMatch(/\S/);
        await screenshot(page, 'schedule-form-errors');

        // A window longer than its interval is rejected by create with the server's message.
        await page.getByRole('radio', { name: 'WINDOW' }).check();
        await page.getByLabel('Interval (seconds)').fill('3600');
        await page.getByLabel('Start time').fill('now');
        await page.getByLabel('End time').fill('now + 1 minute');
        await page.getByRole('button', { name: 'Create schedule' }).click();
        await expect.poll(() => page.locator('#schedule-form').textContent()).toContain('Rate (Interval 3600s) cannot be greater than the Window duration');

        expect(errors).toEqual([]);
        await page.close();
      },
      FLOW_TIMEOUT_MS,
    );
  }

  it('works by keyboard with visible focus', async () => {
    const { page, errors } = await browser.newPage(1280);
    await page.goto(`${server.url}/ui/targets`);
    await page.getByRole('button', { name: 'New target' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(1);

    // The dialog takes the focus, and the focused control shows an outline.
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).toBe('solid');
    await screenshot(page, 'keyboard-focus');

    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('signs in with a key and disables what its scope cannot use', async () => {
    const keyed = new ServerProcess();
    try {
      const created = spawnSync(process.execPath, [cli, 'keys', 'create', '--name', 'ui', '--scope', 'read'], {
        env: { PATH: process.env.PATH, DATABASE_URL: keyed.databaseUrl, LOG_LEVEL: 'error' },
        encoding: 'utf8',
      });
      const key = /^(sk_\S+)$/m.exec(created.stdout)?.[1];
      expect(key, created.stderr).toBeDefined();
      await keyed.start();

      for (const width of WIDTHS) {
        const { page, errors } = await browser.newPage(width);
        await page.goto(`${keyed.url}/ui/schedules`);
        await page.waitForURL(/\/ui\/login\?next=/);
        await page.getByLabel('API key').fill('sk_wrong');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await expect.poll(() => page.locator('#api-key-error').textContent()).toMatch(/\S/);
        await screenshot(page, 'login');

        await page.getByLabel('API key').fill(key!);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(/\/ui\/schedules$/);
        expect(await page.getByRole('button', { name: 'New schedule' }).isDisabled()).toBe(true);
        await page.goto(`${keyed.url}/ui/targets`);
        expect(await page.getByRole('button', { name: 'New target' }).isDisabled()).toBe(true);
        await screenshot(page, 'targets-read-scope');

        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.waitForURL(/\/ui\/login/);
        expect(errors.filter((message) => !message.includes('UNAUTHORIZED'))).toEqual([]);
        await page.close();
        await browser.context.clearCookies();
      }
    } finally {
      await keyed.dispose();
    }
  }, FLOW_TIMEOUT_MS);
});
