import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { isLoopbackHost, startupAccess } from '../src/startup-policy.js';
import { sendRaw } from './support/raw-http.js';
import type { LogLine } from './support/server-process.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
let dataDir: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'startup-policy-test-'));
});

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function environment(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, DATABASE_URL: `file:${join(dataDir, 'db.sqlite')}`, LOG_LEVEL: 'info', PORT: '0', ...extra };
}

interface Started {
  /** The port it listens on; tests connect to it on 127.0.0.1 only, whatever HOST is. */
  port: number;
  logs: LogLine[];
}

/** Starts `serve` and resolves once it listens, or rejects with its exit code and standard error. */
function startServe(args: string[], env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [cli, 'serve', ...args], { env: environment(env), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const logs: LogLine[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });

  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (text) => {
      try {
        const line = JSON.parse(text) as LogLine;
        logs.push(line);
        if (line.msg === 'API Scheduler is listening') resolve({ port: Number(new URL(String(line.url)).port), logs });
      } catch {
        // Not a log line.
      }
    });
    child.once('exit', (code) => reject(Object.assign(new Error(`exited with ${code}`), { code, stderr })));
  });
}

function createKey(scope: string): string {
  const result = spawnSync(process.execPath, [cli, 'keys', 'create', '--name', 'policy', '--scope', scope], { env: environment({}), encoding: 'utf8', timeout: 30_000 });
  expect(result.status).toBe(0);
  return /^(sk_\S+)$/m.exec(result.stdout)![1]!;
}

describe('start-up policy', () => {
  it('refuses 0.0.0.0 without a key', async () => {
    const failure = (await startServe([], { HOST: '0.0.0.0' }).catch((error: unknown) => error)) as { code: number; stderr: string };

    expect(failure.code).toBe(2);
    expect(failure.stderr).toContain('Not starting: HOST is 0.0.0.0');
    expect(failure.stderr).toContain('npm run cli -- keys create --name admin --scope admin');
    expect(failure.stderr).toContain('--insecure');
  });

  it('serves 0.0.0.0 openly with --insecure', async () => {
    const { port, logs } = await startServe(['--insecure'], { HOST: '0.0.0.0' });

    const response = await sendRaw('127.0.0.1', port, { method: 'GET', path: '/targets/', headers: {} });

    expect(response.status).toBe(200);
    expect(logs.some((line) => line.level === 40 && line.msg.includes('--insecure is set'))).toBe(true);
  });

  it('serves 0.0.0.0 openly with SCHEDULER_INSECURE', async () => {
    const { port } = await startServe([], { HOST: '0.0.0.0', SCHEDULER_INSECURE: 'true' });

    const response = await sendRaw('127.0.0.1', port, { method: 'GET', path: '/targets/', headers: {} });

    expect(response.status).toBe(200);
  });

  it('serves 0.0.0.0 with keys once one exists', async () => {
    const key = createKey('read');
    const { port, logs } = await startServe([], { HOST: '0.0.0.0' });

    const without = await sendRaw('127.0.0.1', port, { method: 'GET', path: '/targets/', headers: {} });
    const withKey = await sendRaw('127.0.0.1', port, { method: 'GET', path: '/targets/', headers: { authorization: `Bearer ${key}` } });

    expect(without.status).toBe(401);
    expect(withKey.status).toBe(200);
    expect(logs.some((line) => line.msg === 'API keys exist: every request must authenticate')).toBe(true);
  });

  it('serves loopback openly with a warning', async () => {
    const { port, logs } = await startServe([], { HOST: '127.0.0.1' });

    const response = await sendRaw('127.0.0.1', port, { method: 'GET', path: '/targets/', headers: {} });

    expect(response.status).toBe(200);
    const warning = logs.find((line) => line.level === 40 && line.msg.startsWith('No API key exists'));
    expect(warning?.msg).toContain('npm run cli -- keys create');
  });

  it('applies no policy to a worker', async () => {
    const { port } = await startServe([], { HOST: '0.0.0.0', SCHEDULER_ROLE: 'worker' });

    const response = await sendRaw('127.0.0.1', port, { method: 'GET', path: '/healthz', headers: {} });

    expect(response.status).toBe(200);
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['LOCALHOST', true],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.10', false],
    ['10.0.0.1', false],
    ['::ffff:10.0.0.1', false],
    ['example.com', false],
    ['128.0.0.1', false],
  ])('%s is loopback: %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('startupAccess', () => {
  it.each([
    [{ host: '0.0.0.0', insecure: false, activeKeys: 1 }, 'keys'],
    [{ host: '127.0.0.1', insecure: false, activeKeys: 2 }, 'keys'],
    [{ host: '127.0.0.1', insecure: false, activeKeys: 0 }, 'open-loopback'],
    [{ host: '127.0.0.1', insecure: true, activeKeys: 0 }, 'open-loopback'],
    [{ host: '0.0.0.0', insecure: true, activeKeys: 0 }, 'open-insecure'],
    [{ host: '0.0.0.0', insecure: false, activeKeys: 0 }, 'refuse'],
    [{ host: '::', insecure: false, activeKeys: 0 }, 'refuse'],
  ] as const)('%j gives %s', (input, expected) => {
    expect(startupAccess(input)).toBe(expected);
  });
});
