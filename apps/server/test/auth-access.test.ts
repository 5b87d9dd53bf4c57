import { appRouter, buildOpenApiDocument, restRoutes } from '@api-scheduler/api';
import type { RestRoute } from '@api-scheduler/api';
import type { ApiKeyScope } from '@api-scheduler/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AuthTestServer } from './support/auth-server.js';
import type { TestKey } from './support/auth-server.js';
import { sendRaw } from './support/raw-http.js';
import type { RawResponse } from './support/raw-http.js';

type Needed = 'none' | ApiKeyScope;

/**
 * The access each endpoint should need, written out apart from the
 * procedures so that a new endpoint built on the wrong procedure builder
 * fails here: key management needs admin, sessions and health none, other
 * reads read, and other changes write.
 */
function neededForProcedure(path: string, type: string): Needed {
  if (path === 'system.health' || path.startsWith('auth.')) return 'none';
  if (path.startsWith('keys.')) return 'admin';
  return type === 'mutation' ? 'write' : 'read';
}

function neededForRoute(route: RestRoute): Needed {
  return neededForProcedure(route.procedure, route.method === 'GET' ? 'query' : 'mutation');
}

const MISSING_ID = '01000000-0000-7000-8000-000000000000';
const WRONG_KEY = 'sk_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

type CredentialName = 'no key' | 'malformed header' | 'wrong key' | 'revoked key' | ApiKeyScope;

const server = new AuthTestServer({ failureLimit: 1_000_000 });
const keys = {} as Record<ApiKeyScope | 'revoked', TestKey>;

beforeAll(async () => {
  await server.start();
  keys.read = await server.createKey('read');
  keys.write = await server.createKey('write');
  keys.admin = await server.createKey('admin');
  keys.revoked = await server.createKey('admin', 'revoked');
  await server.store.revokeApiKey(keys.revoked.id, new Date(server.clock.now()));
  // The keys went straight into the database, so the server learns of them now rather than in 5 s.
  await server.auth.keysChanged();
});

afterAll(async () => {
  await server.stop();
});

function authorizationFor(credential: CredentialName): Record<string, string> {
  switch (credential) {
    case 'no key':
      return {};
    case 'malformed header':
      return { authorization: 'Basic dXNlcjpwYXNz' };
    case 'wrong key':
      return { authorization: `Bearer ${WRONG_KEY}` };
    case 'revoked key':
      return { authorization: `Bearer ${keys.revoked.key}` };
    default:
      return { authorization: `Bearer ${keys[credential].key}` };
  }
}

const CREDENTIALS: CredentialName[] = ['no key', 'malformed header', 'wrong key', 'revoked key', 'read', 'write', 'admin'];
const SCOPE_ORDER: Needed[] = ['none', 'read', 'write', 'admin'];

/** The status class a credential must get: 401, 403, or "allowed" (any status that is not about access). */
function expectedOutcome(credential: CredentialName, needed: Needed): 401 | 403 | 'allowed' {
  if (needed === 'none') return 'allowed';
  if (credential === 'no key' || credential === 'malformed header' || credential === 'wrong key' || credential === 'revoked key') return 401;
  return SCOPE_ORDER.indexOf(credential) >= SCOPE_ORDER.indexOf(needed) ? 'allowed' : 403;
}

function checkOutcome(response: RawResponse, outcome: 401 | 403 | 'allowed', what: string): void {
  if (outcome === 'allowed') {
    expect([401, 403, 429], `${what} answered ${response.status}: ${response.text}`).not.toContain(response.status);
    // 503 is the trigger of a process without an engine, as this server is.
    expect(response.status < 500 || response.status === 503, `${what} answered ${response.status}: ${response.text}`).toBe(true);
    return;
  }
  expect(response.status, `${what}: ${response.text}`).toBe(outcome);
}

describe('REST access by key scope', () => {
  const cases = restRoutes.flatMap((route) => CREDENTIALS.map((credential) => ({ route, credential })));

  it.each(cases)('$route.method $route.path with $credential', async ({ route, credential }) => {
    const path = route.path.replace(/\{\w+\}/g, MISSING_ID);
    // An empty object fails every body's validation, so no allowed call changes anything.
    const body = route.body ? Buffer.from('{}') : undefined;
    const headers: Record<string, string> = { ...authorizationFor(credential), ...(body ? { 'content-type': 'application/json' } : {}) };

    const response = await sendRaw('127.0.0.1', server.port, { method: route.method, path, headers, body });

    const outcome = expectedOutcome(credential, neededForRoute(route));
    checkOutcome(response, outcome, `${route.method} ${route.path} with ${credential}`);
    if (outcome === 401) {
      expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="api-scheduler"/);
      expect(JSON.parse(response.text).detail).toMatch(/Authorization|API key/);
    }
    if (outcome === 403) expect(JSON.parse(response.text).detail).toContain(`scope ${credential}`);
  });

  it('covers every procedure with a REST route of the expected access', () => {
    const publicRoutes = restRoutes.filter((route) => route.public === true).map((route) => route.procedure);
    const expectedPublic = restRoutes.filter((route) => neededForRoute(route) === 'none').map((route) => route.procedure);

    expect(publicRoutes).toEqual(expectedPublic);
  });
});

/** Reads an event stream for up to `ms` milliseconds and returns its text and whether the server ended it. */
async function readStream(response: Response, ms: number): Promise<{ text: string; ended: boolean }> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), deadline - Date.now()));
    const chunk = await Promise.race([reader.read(), timeout]);
    if (chunk === 'timeout') break;
    if (chunk.done) return { text, ended: true };
    text += decoder.decode(chunk.value, { stream: true });
  }
  return { text, ended: false };
}

/**
 * Opens the subscription as an EventSource does and checks the outcome.
 * tRPC answers every SSE request 200 and reports a failure as a
 * "serialized-error" event before it ends the stream. An allowed
 * subscription stays open, so the check reads it for a moment and then
 * closes the connection.
 */
async function checkSubscription(path: string, credential: CredentialName): Promise<void> {
  const abort = new AbortController();
  const response = await fetch(`${server.base}/trpc/${path}`, { headers: { accept: 'text/event-stream', ...authorizationFor(credential) }, signal: abort.signal });
  const outcome = expectedOutcome(credential, neededForProcedure(path, 'subscription'));
  try {
    expect(response.status, `${path} with ${credential}`).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const stream = await readStream(response, outcome === 'allowed' ? 300 : 5_000);

    expect(stream.text, `${path} with ${credential}`).toContain('event: connected');
    if (outcome === 'allowed') {
      expect(stream.text, `${path} with ${credential}`).not.toContain('serialized-error');
      expect(stream.ended, `${path} with ${credential} ended its stream`).toBe(false);
      return;
    }
    const error = /event: serialized-error\ndata: (.*)\n/.exec(stream.text);
    expect(error, `${path} with ${credential}: ${stream.text}`).not.toBeNull();
    expect(JSON.parse(error![1]!).json.data.code).toBe(outcome === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN');
    expect(stream.ended).toBe(true);
  } finally {
    abort.abort();
  }
}

describe('tRPC access by key scope', () => {
  // At run time tRPC keeps the procedures flat, under their dotted paths.
  const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>).map(([path, procedure]) => ({
    path,
    type: procedure._def.type,
  }));
  const cases = procedures.flatMap((procedure) => CREDENTIALS.map((credential) => ({ ...procedure, credential })));

  it('finds the procedures of every router', () => {
    const paths = procedures.map((procedure) => procedure.path);

    for (const expected of ['targets.create', 'schedules.trigger', 'schedules.stats', 'runs.list', 'runs.onRun', 'metrics.summary', 'metrics.dashboard', 'keys.create', 'keys.revoke', 'auth.signIn', 'auth.session', 'system.health']) {
      expect(paths).toContain(expected);
    }
  });

  it.each(cases)('$path ($type) with $credential', async ({ path, type, credential }) => {
    if (type === 'subscription') {
      await checkSubscription(path, credential);
      return;
    }

    // No input: it fails the validation of every procedure that takes one, so no allowed call changes anything.
    const response = await sendRaw('127.0.0.1', server.port, {
      method: type === 'query' ? 'GET' : 'POST',
      path: `/trpc/${path}`,
      headers: { ...authorizationFor(credential), ...(type === 'mutation' ? { 'content-type': 'application/json' } : {}) },
    });

    const outcome = expectedOutcome(credential, neededForProcedure(path, type));
    checkOutcome(response, outcome, `${path} with ${credential}`);
    if (outcome === 401) expect(JSON.parse(response.text).error.json.data.code).toBe('UNAUTHORIZED');
    if (outcome === 403) expect(JSON.parse(response.text).error.json.data.code).toBe('FORBIDDEN');
  });
});

describe('public endpoints without a key', () => {
  it.each(['/healthz', '/readyz', '/openapi.json', '/docs'])('%s answers 200', async (path) => {
    const response = await sendRaw('127.0.0.1', server.port, { method: 'GET', path, headers: {} });

    expect(response.status).toBe(200);
  });
});

describe('access before input validation', () => {
  it.each([
    ['no key', 401],
    ['read', 403],
    ['write', 422],
  ] as const)('unparsable body with %s gets %i', async (credential, status) => {
    const response = await sendRaw('127.0.0.1', server.port, {
      method: 'POST',
      path: '/targets/',
      headers: { ...authorizationFor(credential), 'content-type': 'application/json' },
      body: Buffer.from('{"url": '),
    });

    expect(response.status).toBe(status);
  });
});

describe('OpenAPI security', () => {
  it('documents 401 and 403 on every protected route', () => {
    const document = buildOpenApiDocument() as { paths: Record<string, Record<string, { security: unknown[]; responses: Record<string, unknown> }>> };

    for (const route of restRoutes) {
      const operation = document.paths[route.path]![route.method.toLowerCase()]!;
      if (route.public) {
        expect(operation.security, `${route.method} ${route.path}`).toEqual([]);
        continue;
      }
      expect(operation.security, `${route.method} ${route.path}`).toEqual([{ bearerKey: [] }, { sessionCookie: [] }]);
      expect(Object.keys(operation.responses), `${route.method} ${route.path}`).toEqual(expect.arrayContaining(['401', '403', '429']));
    }
  });
});
