import type { LookupFunction } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { DENY_PRIVATE_POLICY, parseTargetAllowlist } from '@api-scheduler/core';
import type { AddressPolicy } from '@api-scheduler/core';

import { HttpExecutor, type HttpRequestSpec } from '../../src/executor/index.js';
import { startTestServer, type TestServer } from './test-server.js';

// Every server here listens on 127.0.0.1 and every lookup returns a
// loopback address, so no test can reach another machine, even if the guard
// failed. Link-local and metadata addresses are covered by the pure
// classification tests in packages/core instead, without connecting.

interface CountingServer extends TestServer {
  /** TCP connections accepted, whether or not a request followed. */
  connections: () => number;
}

async function startCountingServer(handler: Parameters<typeof startTestServer>[0]): Promise<CountingServer> {
  const server = await startTestServer(handler);
  let connections = 0;
  server.server.on('connection', () => {
    connections += 1;
  });
  return { ...server, connections: () => connections };
}

/** Builds a resolver that returns 127.0.0.1 for every name and records each name it resolves. */
function loopbackLookup(calls: string[]): LookupFunction {
  return (hostname, _options, callback) => {
    calls.push(hostname);
    process.nextTick(() => callback(null, [{ address: '127.0.0.1', family: 4 }]));
  };
}

function spec(url: string): HttpRequestSpec {
  return { method: 'GET', url, headers: {}, body: null, timeoutMs: 5_000 };
}

const allowing = (allowlist: string): AddressPolicy => ({ allowPrivate: false, allowlist: parseTargetAllowlist(allowlist) });

describe('HttpExecutor address guard', () => {
  const servers: TestServer[] = [];
  let executor: HttpExecutor | null = null;

  afterEach(async () => {
    await executor?.close();
    executor = null;
    for (const server of servers.splice(0)) await server.close();
  });

  async function server(handler: Parameters<typeof startTestServer>[0] = (_request, response) => response.end('ok')): Promise<CountingServer> {
    const started = await startCountingServer(handler);
    servers.push(started);
    return started;
  }

  it('blocks a loopback literal by default without connecting', async () => {
    const target = await server();
    executor = new HttpExecutor({});
    const result = await executor.execute(spec(`${target.url}/hook`));

    expect(result.status).toBe('FAILURE');
    expect(result.errorType).toBe('BLOCKED_ADDRESS');
    expect(result.errorMessage).toBe(
      `Blocked address 127.0.0.1 (loopback) for 127.0.0.1:${target.port}: loopback and private addresses are denied by default. To allow it, set SCHEDULER_ALLOW_PRIVATE_TARGETS=true or add "127.0.0.1:${target.port}" to SCHEDULER_TARGET_ALLOWLIST`,
    );
    expect(result.statusCode).toBeNull();
    expect(target.connections()).toBe(0);
  });

  it('blocks a host name that resolves to loopback', async () => {
    const target = await server();
    const lookups: string[] = [];
    executor = new HttpExecutor({ addressPolicy: DENY_PRIVATE_POLICY, lookup: loopbackLookup(lookups) });
    const result = await executor.execute(spec(`http://rebound.invalid:${target.port}/`));

    expect(result.errorType).toBe('BLOCKED_ADDRESS');
    expect(result.errorMessage).toContain(`Blocked address 127.0.0.1 (loopback) for rebound.invalid:${target.port}`);
    expect(lookups).toEqual(['rebound.invalid']);
    expect(target.connections()).toBe(0);
  });

  it('blocks localhost through the system resolver', async () => {
    const target = await server();
    executor = new HttpExecutor({});
    const result = await executor.execute(spec(`http://localhost:${target.port}/`));

    expect(result.errorType).toBe('BLOCKED_ADDRESS');
    expect(result.errorMessage).toMatch(/^Blocked address (127\.0\.0\.1|::1) \(loopback\) for localhost:\d+/);
    expect(target.connections()).toBe(0);
  });

  it('blocks an IPv4-mapped IPv6 loopback literal', async () => {
    const target = await server();
    executor = new HttpExecutor({});
    const result = await executor.execute(spec(`http://[::ffff:127.0.0.1]:${target.port}/`));

    expect(result.errorType).toBe('BLOCKED_ADDRESS');
    expect(result.errorMessage).toContain('(127.0.0.1) (loopback)');
    expect(target.connections()).toBe(0);
  });

  it('connects to the address it checked, resolving once', async () => {
    const target = await server();
    const lookups: string[] = [];
    executor = new HttpExecutor({ addressPolicy: allowing('rebound.invalid'), lookup: loopbackLookup(lookups) });
    const result = await executor.execute(spec(`http://rebound.invalid:${target.port}/`));

    expect(result.status).toBe('SUCCESS');
    expect(result.responseBody).toBe('ok');
    // A second resolution inside net.connect could return another address than the one checked.
    expect(lookups).toEqual(['rebound.invalid']);
    expect(target.connections()).toBe(1);
  });

  it('allows a host:port allowlist entry only on its port', async () => {
    const allowed = await server();
    const other = await server();
    executor = new HttpExecutor({ addressPolicy: allowing(`localhost:${allowed.port}`), lookup: loopbackLookup([]) });

    const allowedResult = await executor.execute(spec(`http://localhost:${allowed.port}/`));
    const otherResult = await executor.execute(spec(`http://localhost:${other.port}/`));

    expect(allowedResult.status).toBe('SUCCESS');
    expect(otherResult.errorType).toBe('BLOCKED_ADDRESS');
    expect(other.connections()).toBe(0);
  });

  it('blocks a redirect to a port the allowlist does not name', async () => {
    const hidden = await server();
    const entry = await server((_request, response) => {
      response.writeHead(302, { location: `http://127.0.0.1:${hidden.port}/internal` }).end();
    });
    executor = new HttpExecutor({ addressPolicy: allowing(`127.0.0.1:${entry.port}`) });
    const result = await executor.execute(spec(`${entry.url}/start`));

    expect(result.status).toBe('FAILURE');
    expect(result.errorType).toBe('BLOCKED_ADDRESS');
    expect(result.errorMessage).toContain(`Blocked address 127.0.0.1 (loopback) for 127.0.0.1:${hidden.port}`);
    expect(result.finalUrl).toBe(`http://127.0.0.1:${hidden.port}/internal`);
    expect(entry.connections()).toBe(1);
    expect(hidden.connections()).toBe(0);
  });

  it('blocks a redirect to a host name that resolves to loopback', async () => {
    const hidden = await server();
    const entry = await server((_request, response) => {
      response.writeHead(307, { location: `http://internal.invalid:${hidden.port}/` }).end();
    });
    executor = new HttpExecutor({ addressPolicy: allowing(`127.0.0.1:${entry.port}`), lookup: loopbackLookup([]) });
    const result = await executor.execute(spec(`${entry.url}/start`));

    expect(result.errorType).toBe('BLOCKED_ADDRESS');
    expect(hidden.connections()).toBe(0);
  });
});
