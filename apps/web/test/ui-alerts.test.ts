import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ServerProcess } from '../../server/test/support/server-process';
import { TargetServer } from '../../server/test/support/target-server';
import { Browser, screenshot } from './support/browser';
import { findChromium } from './support/chromium';

// The alert of a schedule in the UI: set in the schedule form, its state and
// notifications on the schedule page. The server, a failing target and the
// webhook receiver all run on 127.0.0.1.
const chromium = findChromium();
if ('skipReason' in chromium) console.warn(chromium.skipReason);
const chromiumPath = 'path' in chromium ? chromium.path : '';

describe.skipIf(!chromiumPath)('alerts in the web UI', () => {
  let server: ServerProcess;
  let target: TargetServer;
  let receiver: TargetServer;
  let browser: Browser;

  beforeAll(async () => {
    target = await new TargetServer().start();
    target.on('/broken', (_request, response) => response.writeHead(500).end());
    receiver = await new TargetServer().start();
    server = new ServerProcess({ SCHEDULER_ALERT_CHECK_INTERVAL_MS: '200' });
    await server.start();
    browser = await Browser.launch(chromiumPath);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    await target?.stop();
    await receiver?.stop();
  });

  for (const width of [1280, 375]) {
    it(`sets an alert in the form and shows its state at ${width} px`, async () => {
      const { page, errors } = await browser.newPage(width);
      const createdTarget = await server.request('POST', '/targets/', { name: `Broken ${width}`, url: `${target.url}/broken`, method: 'GET' });
      expect(createdTarget.status).toBe(201);
      const scheduleName = `Alerting ${width}`;

      await page.goto(`${server.url}/ui/schedules`);
      await page.getByRole('button', { name: 'New schedule' }).click();
      await page.getByLabel('Name (optional)').fill(scheduleName);
      await page.getByLabel('Target').selectOption({ label: `Broken ${width} (GET ${target.url}/broken)` });
      await page.getByLabel('Interval (seconds)').fill('1');
      await page.getByText('Alert', { exact: true }).click();
      await page.getByLabel('Notify a webhook when this schedule fails or goes silent').check();

      // A URL that is not http(s) is refused as it is typed.
      await page.getByLabel('Webhook URL').fill('ftp://127.0.0.1/hook');
      await expect.poll(() => page.locator('#schedule-alert\\.webhook_url-error').textContent()).toContain('Unsupported URL scheme "ftp"');
      await page.getByLabel('Webhook URL').fill(`${receiver.url}/hook-${width}`);
      await page.getByLabel('Notify after failed fires in a row').fill('2');
      await screenshot(page, 'schedule-form-alert');
      await page.getByRole('button', { name: 'Create schedule' }).click();

      const row = page.getByTestId('schedule-row').filter({ hasText: scheduleName });
      await expect.poll(() => row.count()).toBe(1);
      // The list shows the alert state once it turns.
      await expect.poll(() => row.textContent(), { timeout: 20_000 }).toContain('FAILING');

      await row.getByRole('link', { name: scheduleName }).click();
      await page.waitForURL(/\/ui\/schedules\/[^/]+$/);
      const panel = page.getByRole('region', { name: 'Alert' });
      await expect.poll(() => panel.textContent(), { timeout: 15_000 }).toContain('FAILING');
      await expect.poll(() => page.getByTestId('alert-notifications').textContent(), { timeout: 15_000 }).toContain('delivered');
      expect(await page.getByTestId('alert-notifications').locator('li').count()).toBe(1);
      expect(receiver.requestsTo(`/hook-${width}`)).toHaveLength(1);
      await screenshot(page, 'schedule-detail-alert');

      // Turning the alert off in the edit form clears the state.
      await page.getByRole('button', { name: `Pause ${scheduleName}` }).click();
      await page.getByRole('button', { name: `Edit ${scheduleName}` }).click();
      expect(await page.getByLabel('Webhook URL').inputValue()).toBe(`${receiver.url}/hook-${width}`);
      expect(await page.getByLabel('Notify after failed fires in a row').inputValue()).toBe('2');
      await page.getByLabel('Notify a webhook when this schedule fails or goes silent').uncheck();
      await page.getByRole('button', { name: 'Save schedule' }).click();
      await expect.poll(() => panel.textContent()).toContain('No alert');

      expect(errors).toEqual([]);
      await page.close();
    }, 120_000);
  }
});
