import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { describe, expect, it } from 'vitest';

import { useEndToEnd } from './support/end-to-end.js';
import type { ServerProcess } from './support/server-process.js';
import { waitFor } from './support/server-process.js';

const { target, startServer } = useEndToEnd();

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const readme = fileURLToPath(new URL('../../../README.md', import.meta.url));

const AUTHORIZATION = 'Bearer e2e-secret-token-4f1c9a';
const API_KEY = 'e2e-api-key-77d0b3';
const SIGNING_SECRET = 'e2e-signing-secret-0123456789abcdef';

type Verify = (secret: string, headers: Record<string, unknown>, rawBody: string, toleranceSeconds?: number) => boolean;

/** Loads verifySchedulerSignature from the README's own code block, so the documented code is the tested code. */
async function loadReadmeVerifier(dir: string): Promise<Verify> {
  const text = readFileSync(readme, 'utf8');
  const section = text.slice(text.indexOf('### Signed requests'));
  const block = /```js\n([\s\S]*?)```/.exec(section);
  if (block === null) throw new Error('README.md has no js code block under "### Signed requests"');
  const file = join(dir, 'verify-signature.mjs');
  writeFileSync(file, block[1]!);
  const module = (await import(pathToFileURL(file).href)) as { verifySchedulerSignature: Verify };
  return module.verifySchedulerSignature;
}

/** Reads every file of the server's data folder (database, WAL and shared memory) as one string. */
function rawDataFiles(server: ServerProcess): string {
  return readdirSync(server.dataDir)
    .map((name) => readFileSync(join(server.dataDir, name)).toString('latin1'))
    .join('\n');
}

async function fireOnce(server: ServerProcess, targetId: string): Promise<any> {
  const schedule = await server.request('POST', '/schedules/', {
    target_id: targetId,
    schedule_type: 'ONCE',
    schedule_config: { run_at: 'now' },
  });
  expect(schedule.status).toBe(201);
  const [run] = await waitFor(
    async () => {
      const runs = (await server.runsOf(schedule.body.id)).filter((candidate) => candidate.status !== 'RUNNING');
      return runs.length > 0 ? runs : null;
    },
    10_000,
    'a finished run',
  );
  return run;
}

describe('outbound address guard end to end', () => {
  it('records BLOCKED_ADDRESS for a loopback target by default', async () => {
    // A separate server counts its connections: none may arrive.
    let connections = 0;
    const hidden = createServer((_request, response) => response.end('reached'));
    hidden.on('connection', () => {
      connections += 1;
    });
    await new Promise<void>((resolve) => hidden.listen(0, '127.0.0.1', resolve));
    const { port } = hidden.address() as AddressInfo;

    try {
      const server = await startServer({ SCHEDULER_ALLOW_PRIVATE_TARGETS: 'false' });
      const created = await server.request('POST', '/targets/', { url: `http://localhost:${port}/hook` });
      expect(created.status).toBe(201);

      const run = await fireOnce(server, created.body.id);

      expect(run.status).toBe('FAILURE');
      expect(run.error_type).toBe('BLOCKED_ADDRESS');
      expect(run.error_message).toMatch(new RegExp(`^Blocked address (127\\.0\\.0\\.1|::1) \\(loopback\\) for localhost:${port}: `));
      expect(run.error_message).toContain(`set SCHEDULER_ALLOW_PRIVATE_TARGETS=true or add "localhost:${port}" to SCHEDULER_TARGET_ALLOWLIST`);
      expect(connections).toBe(0);
    } finally {
      hidden.closeAllConnections();
      await new Promise<void>((resolve) => hidden.close(() => resolve()));
    }
  });

  it('rejects a blocked IP literal when the target is created', async () => {
    const server = await startServer({ SCHEDULER_ALLOW_PRIVATE_TARGETS: 'false' });
    const created = await server.request('POST', '/targets/', { url: 'http://127.0.0.1:9/hook' });

    expect(created.status).toBe(422);
    expect(created.body.detail[0].loc).toEqual(['body', 'url']);
    expect(created.body.detail[0].msg).toContain('Blocked address 127.0.0.1 (loopback) for 127.0.0.1:9');

    const metadata = await server.request('POST', '/targets/', { url: 'http://169.254.169.254/latest/meta-data/' });
    expect(metadata.status).toBe(422);
    expect(metadata.body.detail[0].msg).toContain('always denied');
  });

  it('allows a host:port allowlist entry', async () => {
    const server = await startServer({ SCHEDULER_ALLOW_PRIVATE_TARGETS: 'false', SCHEDULER_TARGET_ALLOWLIST: target().url.replace('http://', '') });
    const created = await server.request('POST', '/targets/', { url: `${target().url}/allowed` });
    expect(created.status).toBe(201);

    const run = await fireOnce(server, created.body.id);

    expect(run.status).toBe('SUCCESS');
    expect(target().requestsTo('/allowed')).toHaveLength(1);
  });

  it('reports an invalid allowlist at start', () => {
    const result = spawnSync(process.execPath, [cli, 'migrate'], {
      env: { PATH: process.env.PATH, SCHEDULER_TARGET_ALLOWLIST: 'localhost:99999', SCHEDULER_SECRET_KEY: 'short' },
      encoding: 'utf8',
      timeout: 30_000,
    });

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('SCHEDULER_TARGET_ALLOWLIST: Invalid allowlist entry "localhost:99999": the port must be a whole number from 1 to 65535');
    expect(result.stderr).toContain('SCHEDULER_SECRET_KEY must be 32 random bytes written as 64 hex digits or as base64');
    expect(result.stderr).not.toContain('short');
  });
});

describe('secrets end to end', () => {
  it('encrypts, masks and still sends secret headers, signed', async () => {
    const key = randomBytes(32).toString('base64');
    const server = await startServer({ SCHEDULER_SECRET_KEY: key, LOG_LEVEL: 'debug' });
    const verify = await loadReadmeVerifier(server.dataDir);
    const body = '{"report":"nightly"}';

    const created = await server.request('POST', '/targets/', {
      url: `${target().url}/secret`,
      method: 'POST',
      headers: { Authorization: AUTHORIZATION, 'X-Api-Key': API_KEY, 'Content-Type': 'application/json' },
      body_template: body,
      signing_secret: SIGNING_SECRET,
    });
    expect(created.status).toBe(201);
    expect(created.body.headers).toEqual({ Authorization: '***', 'X-Api-Key': '***', 'Content-Type': 'application/json' });
    expect(created.body.signed).toBe(true);
    expect(created.body).not.toHaveProperty('signing_secret');

    const run = await fireOnce(server, created.body.id);
    expect(run.status).toBe('SUCCESS');

    // The target receives the real values and a signature that the README's code accepts.
    const [received] = target().requestsTo('/secret');
    expect(received!.headers['authorization']).toBe(AUTHORIZATION);
    expect(received!.headers['x-api-key']).toBe(API_KEY);
    expect(received!.body).toBe(body);
    expect(verify(SIGNING_SECRET, received!.headers, received!.body)).toBe(true);
    expect(verify(SIGNING_SECRET, received!.headers, '{"report":"tampered"}')).toBe(false);
    expect(verify('another-secret-0123456789', received!.headers, received!.body)).toBe(false);
    expect(verify(SIGNING_SECRET, received!.headers, received!.body, -1)).toBe(false);

    // Every API response masks them.
    const read = await server.request('GET', `/targets/${created.body.id}`);
    const list = await server.request('GET', '/targets/');
    const runs = await server.request('GET', `/runs/${run.id}`);
    for (const response of [read, list, runs]) {
      const text = JSON.stringify(response.body);
      expect(text).not.toContain(AUTHORIZATION);
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(SIGNING_SECRET);
    }
    expect(runs.body.request.headers).toEqual({ Authorization: '***', 'X-Api-Key': '***', 'Content-Type': 'application/json' });

    // The database files hold only ciphertext, and the log never the values.
    const raw = rawDataFiles(server);
    expect(raw).toContain('enc:v1:');
    for (const secret of [AUTHORIZATION, API_KEY, SIGNING_SECRET, 'e2e-secret-token']) expect(raw).not.toContain(secret);
    const logs = JSON.stringify(server.logs);
    for (const secret of [AUTHORIZATION, API_KEY, SIGNING_SECRET, key]) expect(logs).not.toContain(secret);
  });

  it('keeps a masked secret on PATCH and stops signing with null', async () => {
    const server = await startServer({ SCHEDULER_SECRET_KEY: randomBytes(32).toString('hex') });
    const created = await server.request('POST', '/targets/', {
      url: `${target().url}/patched`,
      headers: { Authorization: AUTHORIZATION },
      signing_secret: SIGNING_SECRET,
    });
    const patched = await server.request('PATCH', `/targets/${created.body.id}`, {
      headers: { Authorization: '***', 'X-Extra': 'visible' },
      signing_secret: null,
    });
    expect(patched.status).toBe(200);
    expect(patched.body.signed).toBe(false);

    await fireOnce(server, created.body.id);

    const [received] = target().requestsTo('/patched');
    expect(received!.headers['authorization']).toBe(AUTHORIZATION);
    expect(received!.headers['x-extra']).toBe('visible');
    expect(received!.headers['x-scheduler-signature']).toBeUndefined();
  });

  it('rotates the key with rotate-secrets', async () => {
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const first = await startServer({ SCHEDULER_SECRET_KEY: oldKey });
    const created = await first.request('POST', '/targets/', { url: `${target().url}/rotated`, headers: { Authorization: AUTHORIZATION } });
    expect(created.status).toBe(201);
    await first.stop();
    const before = rawDataFiles(first);

    const rotate = spawnSync(process.execPath, [cli, 'rotate-secrets'], {
      env: { PATH: process.env.PATH, DATABASE_URL: first.databaseUrl, SCHEDULER_SECRET_KEY: newKey, SCHEDULER_SECRET_KEY_PREVIOUS: oldKey, LOG_LEVEL: 'info' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(rotate.status).toBe(0);
    expect(rotate.stdout).toContain('"reencrypted":1');

    // Restarted with only the new key, the server still sends the real value.
    await first.start({ SCHEDULER_SECRET_KEY: newKey });
    const run = await fireOnce(first, created.body.id);

    expect(run.status).toBe('SUCCESS');
    expect(target().requestsTo('/rotated')[0]!.headers['authorization']).toBe(AUTHORIZATION);
    expect(before).not.toContain(AUTHORIZATION);
  });

  it('fails a run whose secret needs a missing key', async () => {
    const server = await startServer({ SCHEDULER_SECRET_KEY: randomBytes(32).toString('base64') });
    const created = await server.request('POST', '/targets/', { url: `${target().url}/nokey`, headers: { Authorization: AUTHORIZATION } });
    await server.stop();

    await server.start({ SCHEDULER_SECRET_KEY: '' });
    const run = await fireOnce(server, created.body.id);

    expect(run.status).toBe('FAILURE');
    expect(run.error_message).toContain('SCHEDULER_SECRET_KEY is not set');
    expect(target().requestsTo('/nokey')).toHaveLength(0);
  });
});

describe('HTTP hardening', () => {
  it('sets security headers on API and UI responses', async () => {
    const server = await startServer();
    for (const path of ['/healthz', '/targets/', '/docs', '/trpc/system.health']) {
      const response = await fetch(`${server.url}${path}`);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
  });

  it('allows the UI page its inline script by hash', async (context) => {
    const server = await startServer();
    const response = await fetch(`${server.url}/ui/`);
    if (response.status === 404) context.skip('the web UI is not built');
    const html = await response.text();
    const inline = /<script>([\s\S]*?)<\/script>/.exec(html);
    const csp = response.headers.get('content-security-policy') ?? '';

    expect(inline, 'the built page starts the app with an inline script').not.toBeNull();
    const hash = createHash('sha256').update(inline![1]!).digest('base64');
    expect(csp).toContain(`script-src 'self' 'sha256-${hash}'`);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it('rejects oversized bodies, URLs and headers', async () => {
    const server = await startServer();

    const body = await fetch(`${server.url}/targets/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(1024 * 1024 + 1) });
    expect(body.status).toBe(413);

    const url = await fetch(`${server.url}/targets/?q=${'a'.repeat(9000)}`);
    expect(url.status).toBe(414);

    const headers = await fetch(`${server.url}/healthz`, { headers: { 'x-large': 'a'.repeat(20 * 1024) } });
    expect(headers.status).toBe(431);
  });

  it('answers errors without stack traces', async () => {
    const server = await startServer();
    const responses = [
      await fetch(`${server.url}/targets/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"url":' }),
      await fetch(`${server.url}/targets/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"url":"ftp://x"}' }),
      await fetch(`${server.url}/targets/unknown-id`),
      await fetch(`${server.url}/trpc/targets.get?input=${encodeURIComponent('{"json":{"id":5}}')}`),
      await fetch(`${server.url}/trpc/no.such.procedure`),
    ];
    for (const response of responses) {
      const text = await response.text();
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(text).not.toMatch(/\n\s+at /);
      expect(text).not.toContain('"stack"');
    }
  });
});
