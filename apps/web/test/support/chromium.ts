import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's Chromium, which playwright-core drives; Playwright's own browser downloads cannot be fetched here. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export type ChromiumLookup = { path: string } | { skipReason: string };

function aptGet(args: string[]): boolean {
  const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return result.status === 0;
}

/**
 * Finds Chromium for the browser tests, installing Debian's package when
 * it is missing and this process runs as root. Without it, the tests skip
 * with `skipReason`, except under CI (the CI variable set), where a missing
 * browser is an error: there they must run.
 */
export function findChromium(): ChromiumLookup {
  if (existsSync(CHROMIUM_PATH)) return { path: CHROMIUM_PATH };

  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    process.stderr.write(`${CHROMIUM_PATH} is missing: installing Debian's chromium package with apt-get\n`);
    const installed = aptGet(['update']) && aptGet(['install', '-y', 'chromium']);
    if (installed && existsSync(CHROMIUM_PATH)) return { path: CHROMIUM_PATH };
  }

  const reason = isRoot
    ? `apt-get install -y chromium failed, so ${CHROMIUM_PATH} is still missing`
    : `${CHROMIUM_PATH} is missing and only root can install it: run apt-get install -y chromium`;
  if (process.env.CI) throw new Error(`Browser tests cannot run under CI: ${reason}`);
  return { skipReason: `Skipping the browser tests: ${reason}` };
}
