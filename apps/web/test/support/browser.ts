import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';

/** Folder of the screenshots that the browser tests save; git ignores it. */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));

// Without these flags Chromium contacts Google's hosts (updates, sync,
// field trials), which this project's tests must never do.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A headless Chromium with a fresh profile folder, deleted by close(). */
export class Browser {
  private constructor(
    readonly context: BrowserContext,
    private readonly profileDir: string,
  ) {}

  static async launch(executablePath: string): Promise<Browser> {
    const profileDir = mkdtempSync(join(tmpdir(), 'api-scheduler-chromium-'));
    // launchPersistentContext passes profileDir as --user-data-dir.
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    return new Browser(context, profileDir);
  }

  /** Opens a page of the given width that fails the test on any uncaught page error. */
  async newPage(width: number): Promise<{ page: Page; errors: string[] }> {
    const page = await this.context.newPage();
    await page.setViewportSize({ width, height: width < 600 ? 812 : 900 });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    return { page, errors };
  }

  async close(): Promise<void> {
    await this.context.close();
    rmSync(this.profileDir, { recursive: true, force: true });
  }
}

/** Saves a full-page screenshot as NAME-WIDTH.png in SCREENSHOT_DIR. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const width = page.viewportSize()?.width ?? 0;
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${width}.png`), fullPage: true });
}
