import { SESSION_COOKIE } from '@api-scheduler/api';
import { afterEach, describe, expect, it } from 'vitest';

import { AuthTestServer } from './support/auth-server.js';
import { sendRaw } from './support/raw-http.js';
import type { RawResponse } from './support/raw-http.js';

const servers: AuthTestServer[] = [];

async function startServer(options: ConstructorParameters<typeof AuthTestServer>[0] = {}): Promise<AuthTestServer> {
  const server = new AuthTestServer(options);
  servers.push(server);
  await server.start();
  return server;
}

afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
});

function send(server: AuthTestServer, method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<RawResponse> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return sendRaw('127.0.0.1', server.port, {
    method,
    path,
    headers: { ...headers, ...(payload ? { 'content-type': 'application/json' } : {}) },
    body: payload,
  });
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const WRONG_KEY = 'sk_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const TARGET = { url: 'http://127.0.0.1:9/hook', name: 'session target' };

/** Signs in over REST and returns the Cookie header that carries the session. */
async function signIn(server: AuthTestServer, key: string, headers: Record<string, string> = {}): Promise<{ cookie: string; response: RawResponse }> {
  const response = await send(server, 'POST', '/auth/sign-in', headers, { key });
  const setCookie = response.headers['set-cookie']?.[0] ?? '';
  return { cookie: setCookie.split(';')[0]!, response };
}

describe('sessions', () => {
  it('sign-in sets a strict httpOnly cookie', async () => {
    const server = await startServer();
    const write = await server.createKey('write');

    const { response } = await signIn(server, write.key);

    expect(response.status).toBe(200);
    expect(JSON.parse(response.text).scope).toBe('write');
    const setCookie = response.headers['set-cookie']![0]!;
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43};`));
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).not.toContain('Secure');
  });

  it('sign-in behind https sets Secure', async () => {
    const server = await startServer();
    const read = await server.createKey('read');

    const { response } = await signIn(server, read.key, { 'x-forwarded-proto': 'https' });

    expect(response.headers['set-cookie']![0]).toContain('; Secure');
  });

  it('cookie works until sign-out', async () => {
    const server = await startServer();
    const write = await server.createKey('write');
    await server.auth.keysChanged();
    const { cookie } = await signIn(server, write.key);

    const listed = await send(server, 'GET', '/targets/', { cookie });
    const created = await send(server, 'POST', '/targets/', { cookie, origin: `http://127.0.0.1:${server.port}`, host: `127.0.0.1:${server.port}` }, TARGET);
    const session = await send(server, 'GET', '/trpc/auth.session', { cookie });
    const signedOut = await send(server, 'POST', '/auth/sign-out', { cookie });
    const afterSignOut = await send(server, 'GET', '/targets/', { cookie });

    expect(listed.status).toBe(200);
    expect(created.status).toBe(201);
    expect(JSON.parse(session.text).result.data.json).toEqual({ auth_required: true, authenticated: true, via: 'session', scope: 'write' });
    expect(signedOut.status).toBe(204);
    expect(signedOut.headers['set-cookie']![0]).toContain('Max-Age=0');
    expect(afterSignOut.status).toBe(401);
    expect(JSON.parse(afterSignOut.text).detail).toContain('sign in again');
  });

  it('cookie keeps the scope of its key', async () => {
    const server = await startServer();
    const read = await server.createKey('read');
    await server.auth.keysChanged();
    const { cookie } = await signIn(server, read.key);

    const response = await send(server, 'POST', '/targets/', { cookie }, TARGET);

    expect(response.status).toBe(403);
  });

  it('cookie opens the live runs stream', async () => {
    const server = await startServer();
    const read = await server.createKey('read');
    await server.auth.keysChanged();
    const { cookie } = await signIn(server, read.key);

    // The first chunk carries the "connected" event and, for a rejected request, the error that ends the stream.
    const firstChunk = async (headers: Record<string, string>) => {
      const abort = new AbortController();
      const response = await fetch(`${server.base}/trpc/runs.onRun`, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
      const reader = response.body!.getReader();
      let text = '';
      while (!text.includes('event: connected')) {
        const chunk = await reader.read();
        if (chunk.done) break;
        text += new TextDecoder().decode(chunk.value);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      const more = await Promise.race([reader.read(), new Promise<null>((resolve) => setTimeout(() => resolve(null), 200))]);
      if (more !== null && !more.done) text += new TextDecoder().decode(more.value);
      abort.abort();
      return text;
    };

    const withCookie = await firstChunk({ cookie });
    const withoutCookie = await firstChunk({});

    expect(withCookie).toContain('event: connected');
    expect(withCookie).not.toContain('serialized-error');
    expect(withoutCookie).toContain('serialized-error');
    expect(withoutCookie).toContain('UNAUTHORIZED');
  });

  it('cross-origin change with a cookie is rejected', async () => {
    const server = await startServer();
    const write = await server.createKey('write');
    await server.auth.keysChanged();
    const { cookie } = await signIn(server, write.key);
    // Only a header value: nothing connects to this host.
    const crossSite = { cookie, origin: 'https://attacker.example', host: `127.0.0.1:${server.port}` };

    const rest = await send(server, 'POST', '/targets/', crossSite, TARGET);
    const trpc = await send(server, 'POST', '/trpc/targets.create', crossSite, { json: TARGET });
    const read = await send(server, 'GET', '/targets/', crossSite);

    expect(rest.status).toBe(403);
    expect(JSON.parse(rest.text).detail).toContain('Cross-site request rejected');
    expect(trpc.status).toBe(403);
    expect(read.status).toBe(200);
    expect((await server.store.listTargets({ limit: 10 })).items).toEqual([]);
  });

  it('revoking the key ends its sessions', async () => {
    const server = await startServer();
    const write = await server.createKey('write');
    const admin = await server.createKey('admin');
    await server.auth.keysChanged();
    const { cookie } = await signIn(server, write.key);

    const revoked = await send(server, 'DELETE', `/keys/${write.id}`, bearer(admin.key));
    const response = await send(server, 'GET', '/targets/', { cookie });

    expect(revoked.status).toBe(200);
    expect(JSON.parse(revoked.text).revoked_at).not.toBeNull();
    expect(response.status).toBe(401);
  });

  it('session expires after its lifetime', async () => {
    const server = await startServer({ sessionTtlMs: 60_000 });
    const read = await server.createKey('read');
    await server.auth.keysChanged();
    const { cookie } = await signIn(server, read.key);

    server.clock.advance(59_000);
    const before = await send(server, 'GET', '/targets/', { cookie });
    server.clock.advance(2_000);
    const after = await send(server, 'GET', '/targets/', { cookie });

    expect(before.status).toBe(200);
    expect(after.status).toBe(401);
  });

  it('sign-in with a wrong key is 401', async () => {
    const server = await startServer();
    await server.createKey('read');

    const { response } = await signIn(server, WRONG_KEY);

    expect(response.status).toBe(401);
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it('session reports an open server without keys', async () => {
    const server = await startServer();

    const response = await send(server, 'GET', '/auth/session');

    expect(JSON.parse(response.text)).toEqual({ auth_required: false, authenticated: false, via: null, scope: 'admin' });
  });
});

describe('failed attempt limit', () => {
  it('blocks an address after 10 failures a minute', async () => {
    const server = await startServer();
    const read = await server.createKey('read');
    await server.auth.keysChanged();

    const failures: number[] = [];
    for (let attempt = 0; attempt < 10; attempt += 1) failures.push((await send(server, 'GET', '/targets/', bearer(WRONG_KEY))).status);
    const blocked = await send(server, 'GET', '/targets/', bearer(WRONG_KEY));
    const validWhileBlocked = await send(server, 'GET', '/targets/', bearer(read.key));
    const signInWhileBlocked = await signIn(server, read.key);
    server.clock.advance(60_000);
    const validAfter = await send(server, 'GET', '/targets/', bearer(read.key));

    expect(failures).toEqual(Array(10).fill(401));
    expect(blocked.status).toBe(429);
    expect(blocked.headers['retry-after']).toBe('60');
    expect(JSON.parse(blocked.text).detail).toContain('Too many failed authentication attempts');
    expect(validWhileBlocked.status).toBe(429);
    expect(signInWhileBlocked.response.status).toBe(429);
    expect(validAfter.status).toBe(200);
  });

  it('counts failed sign-ins and tRPC calls too', async () => {
    const server = await startServer({ failureLimit: 3 });
    await server.createKey('read');
    await server.auth.keysChanged();

    await signIn(server, WRONG_KEY);
    await send(server, 'GET', '/trpc/targets.list', bearer(WRONG_KEY));
    await send(server, 'GET', '/targets/', bearer(WRONG_KEY));
    const blocked = await send(server, 'GET', '/trpc/targets.list', bearer(WRONG_KEY));

    expect(blocked.status).toBe(429);
    expect(blocked.headers['retry-after']).toBe('60');
  });

  it('does not count requests without a key', async () => {
    const server = await startServer({ failureLimit: 2 });
    const read = await server.createKey('read');
    await server.auth.keysChanged();

    for (let attempt = 0; attempt < 5; attempt += 1) await send(server, 'GET', '/targets/');
    const response = await send(server, 'GET', '/targets/', bearer(read.key));

    expect(response.status).toBe(200);
  });
});

describe('key state', () => {
  it('records last use at most once a minute', async () => {
    const server = await startServer();
    const read = await server.createKey('read');
    const firstUse = server.clock.now();

    await send(server, 'GET', '/targets/', bearer(read.key));
    const afterFirst = await server.store.getApiKey(read.id);
    server.clock.advance(30_000);
    await send(server, 'GET', '/targets/', bearer(read.key));
    const afterSecond = await server.store.getApiKey(read.id);
    server.clock.advance(31_000);
    await send(server, 'GET', '/targets/', bearer(read.key));
    const afterThird = await server.store.getApiKey(read.id);

    expect(afterFirst!.last_used_at).toEqual(new Date(firstUse));
    expect(afterSecond!.last_used_at).toEqual(new Date(firstUse));
    expect(afterThird!.last_used_at).toEqual(new Date(firstUse + 61_000));
  });

  it('key made by the CLI turns auth on within 5 s', async () => {
    const server = await startServer();

    const openBefore = await send(server, 'GET', '/targets/');
    const admin = await server.createKey('admin');
    const stillOpen = await send(server, 'GET', '/targets/');
    server.clock.advance(5_000);
    const required = await send(server, 'GET', '/targets/');
    const withKey = await send(server, 'GET', '/targets/', bearer(admin.key));

    expect(openBefore.status).toBe(200);
    expect(stillOpen.status).toBe(200);
    expect(required.status).toBe(401);
    expect(withKey.status).toBe(200);
  });

  it('key made through the API turns auth on at once', async () => {
    const server = await startServer();

    const created = await send(server, 'POST', '/keys/', {}, { name: 'first', scope: 'admin' });
    const body = JSON.parse(created.text);
    const withoutKey = await send(server, 'GET', '/targets/');
    const listed = await send(server, 'GET', '/keys/', bearer(body.key));

    expect(created.status).toBe(201);
    expect(body.key).toMatch(/^sk_[0-9a-f]{12}_/);
    expect(created.headers.location).toBeUndefined();
    expect(withoutKey.status).toBe(401);
    expect(listed.status).toBe(200);
    expect(listed.text).not.toContain(body.key);
    expect(listed.text).not.toContain('hash');
  });

  it('revoking the last key through the API reopens a loopback server', async () => {
    const server = await startServer();
    const admin = await server.createKey('admin');
    await server.auth.keysChanged();

    const revoked = await send(server, 'DELETE', `/keys/${admin.id}`, bearer(admin.key));
    const withoutKey = await send(server, 'GET', '/targets/');

    expect(revoked.status).toBe(200);
    expect(withoutKey.status).toBe(200);
  });

  it('server that needs keys rejects all while none exists', async () => {
    const server = await startServer({ openWithoutKeys: false });

    const response = await send(server, 'GET', '/targets/');
    const health = await send(server, 'GET', '/trpc/system.health');

    expect(response.status).toBe(401);
    expect(JSON.parse(response.text).detail).toContain('npm run cli -- keys create --name admin --scope admin');
    expect(health.status).toBe(200);
  });
});
