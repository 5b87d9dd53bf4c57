import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { sleep, waitFor } from './support/server-process.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const dataDirs: string[] = [];
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function isServing(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
  } catch {
    return false;
  }
}

/** Starts `node scripts/run.mjs cli serve` (the launcher behind npm start), optionally under a parent process. */
async function startLauncher(port: number, underParent: boolean): Promise<ChildProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'launcher-test-'));
  dataDirs.push(dataDir);
  const env = { ...process.env, PORT: String(port), DATABASE_URL: `file:${join(dataDir, 'db.sqlite')}`, LOG_LEVEL: 'warn' };
  const launcher = "require('child_process').spawn(process.execPath, ['scripts/run.mjs', 'cli', 'serve'], { stdio: 'ignore' }); setInterval(() => {}, 1000);";
  const child = underParent
    ? spawn(process.execPath, ['-e', launcher], { cwd: root, env, stdio: 'ignore' })
    : spawn(process.execPath, ['scripts/run.mjs', 'cli', 'serve'], { cwd: root, env, stdio: 'ignore' });
  children.push(child);
  await waitFor(() => isServing(port), 20_000, 'the server to listen');
  return child;
}

describe('launcher', () => {
  it('passes SIGTERM on and exits with the server', async () => {
    const port = await freePort();
    const launcher = await startLauncher(port, false);
    const exited = new Promise<number | null>((resolve) => launcher.once('exit', (code) => resolve(code)));

    launcher.kill('SIGTERM');

    expect(await exited).toBe(0);
    expect(await isServing(port)).toBe(false);
  });

  it('stops the server when its parent dies', async () => {
    const port = await freePort();
    const parent = await startLauncher(port, true);

    // As npm does on SIGTERM: the parent goes away without passing the signal on.
    parent.kill('SIGKILL');

    await waitFor(async () => !(await isServing(port)), 10_000, 'the server to stop');
    await sleep(200);
    expect(await isServing(port)).toBe(false);
  });
});
