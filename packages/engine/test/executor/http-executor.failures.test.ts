import type { LookupOptions } from 'node:dns';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { BlockedAddressError, HttpExecutor, type HttpRequestSpec } from '../../src/executor/index.js';
import { findClosedPort, startTestServer, type TestServer, loopbackExecutor } from './test-server.js';

describe('HttpExecutor failures', () => {
  let server: TestServer;
  let executor: HttpExecutor;
  const timers = new Set<NodeJS.Timeout>();

  beforeAll(async () => {
    server = await startTestServer((request, response) => {
      switch (request.url) {
        case '/hang':
          // Never responds. The server's close() ends the socket.
          return;
        case '/trickle': {
          response.writeHead(200, { 'content-type': 'text/plain' });
          const timer = setInterval(() => response.write('x'), 200);
          timers.add(timer);
          response.on('close', () => clearInterval(timer));
          return;
        }
        case '/destroy':
          request.socket.destroy();
          return;
        case '/destroy-mid-body':
          response.writeHead(200, { 'content-type': 'text/plain' });
          response.write('partial', () => request.socket.destroy());
          return;
        default:
          response.end('ok');
      }
    });
  });

  afterEach(async () => {
    await executor?.close();
  });

  afterAll(async () => {
    for (const timer of timers) {
      clearInterval(timer);
    }
    await server.close();
  });

  function spec(path: string, overrides: Partial<HttpRequestSpec> = {}): HttpRequestSpec {
    return { method: 'GET', url: `${server.url}${path}`, headers: {}, body: null, timeoutMs: 10_000, ...overrides };
  }

  it('times out a server that never responds', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(spec('/hang', { timeoutMs: 500 }));

    expect(result.status).toBe('FAILURE');
    expect(result.errorType).toBe('TIMEOUT');
    expect(result.errorMessage).toBe('Request timed out after 500 ms waiting for the response');
    expect(result.statusCode).toBeNull();
    expect(result.latencyMs).toBeGreaterThanOrEqual(490);
    expect(result.latencyMs).toBeLessThan(1_500);
  });

  it('times out a body that trickles', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(spec('/trickle', { timeoutMs: 1_000 }));

    expect(result.status).toBe('FAILURE');
    expect(result.errorType).toBe('TIMEOUT');
    expect(result.errorMessage).toBe('Request timed out after 1000 ms reading the response body');
    expect(result.statusCode).toBe(200);
    expect(result.responseSize).toBeGreaterThanOrEqual(3);
    expect(result.responseBody).toMatch(/^x+$/);
    expect(result.latencyMs).toBeGreaterThanOrEqual(990);
    expect(result.latencyMs).toBeLessThan(2_000);
  });

  it('reports a refused connection', async () => {
    executor = loopbackExecutor({});
    const port = await findClosedPort();
    const result = await executor.execute(spec('/', { url: `http://127.0.0.1:${port}/` }));

    expect(result.status).toBe('FAILURE');
    expect(result.errorType).toBe('CONNECTION_REFUSED');
    expect(result.errorMessage).toContain('ECONNREFUSED');
    expect(result.statusCode).toBeNull();
  });

  it('reports a reset before the response', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(spec('/destroy'));

    expect(result.status).toBe('FAILURE');
    expect(result.errorType).toBe('CONNECTION_RESET');
    expect(result.statusCode).toBeNull();
  });

  it('reports a reset in the middle of the body', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(spec('/destroy-mid-body'));

    expect(result.status).toBe('FAILURE');
    expect(result.errorType).toBe('CONNECTION_RESET');
    expect(result.statusCode).toBe(200);
    expect(result.responseBody).toBe('partial');
  });

  it('reports an abort as INTERRUPTED', async () => {
    executor = loopbackExecutor({});
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await executor.execute(spec('/hang'), controller.signal);

    expect(result.status).toBe('FAILURE');
    expect(result.errorType).toBe('INTERRUPTED');
    expect(result.errorMessage).toBe('Request interrupted: the caller aborted it');
    expect(result.latencyMs).toBeGreaterThanOrEqual(90);
    expect(result.latencyMs).toBeLessThan(1_000);
    expect(executor.inFlight).toBe(0);
  });

  it('reports an already aborted signal as INTERRUPTED', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(spec('/'), AbortSignal.abort());

    expect(result.errorType).toBe('INTERRUPTED');
    expect(result.latencyMs).toBe(0);
  });

  it('rejects an invalid URL without sending', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(spec('/', { url: 'not a url?token=secret' }));

    expect(result.errorType).toBe('NETWORK_ERROR');
    expect(result.errorMessage).not.toContain('secret');
  });

  it('rejects a scheme other than http and https', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(spec('/', { url: 'ftp://127.0.0.1/file' }));

    expect(result.errorType).toBe('NETWORK_ERROR');
    expect(result.errorMessage).toBe('Unsupported URL scheme "ftp": only http and https are allowed');
  });

  it('rejects a non-positive timeout', async () => {
    executor = loopbackExecutor({});

    await expect(executor.execute(spec('/', { timeoutMs: 0 }))).rejects.toThrow(RangeError);
  });

  it('reports a blocked target from the target check', async () => {
    executor = loopbackExecutor({
      checkTarget: (url) => {
        throw new BlockedAddressError(`Requests to port ${url.port} are blocked`);
      },
    });
    const result = await executor.execute(spec('/'));

    expect(result.errorType).toBe('BLOCKED_ADDRESS');
    expect(result.errorMessage).toBe(`Requests to port ${server.port} are blocked`);
  });

  it('reports a failed lookup as DNS_ERROR', async () => {
    const lookedUp: string[] = [];
    executor = loopbackExecutor({
      lookup: (hostname, _options, callback) => {
        lookedUp.push(hostname);
        const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
        process.nextTick(() => callback(error, []));
      },
    });
    const result = await executor.execute(spec('/', { url: 'http://unresolvable.invalid/' }));

    expect(result.errorType).toBe('DNS_ERROR');
    expect(result.errorMessage).toBe('DNS lookup failed: getaddrinfo ENOTFOUND unresolvable.invalid');
    expect(lookedUp).toEqual(['unresolvable.invalid']);
  });

  it('connects to the address the lookup returns', async () => {
    const lookupOptions: LookupOptions[] = [];
    executor = loopbackExecutor({
      lookup: (_hostname, options, callback) => {
        lookupOptions.push(options);
        process.nextTick(() => callback(null, [{ address: '127.0.0.1', family: 4 }]));
      },
    });
    const result = await executor.execute(spec('/', { url: `http://target.invalid:${server.port}/` }));

    expect(result.status).toBe('SUCCESS');
    expect(result.responseBody).toBe('ok');
    // The address guard asks for every address, so that it can check them all before connecting.
    expect(lookupOptions[0]?.all).toBe(true);
  });

  it('reports a blocked address from the lookup', async () => {
    executor = loopbackExecutor({
      lookup: (_hostname, _options, callback) => {
        process.nextTick(() => callback(new BlockedAddressError('Requests to 169.254.169.254 are blocked'), []));
      },
    });
    const result = await executor.execute(spec('/', { url: `http://metadata.invalid:${server.port}/` }));

    expect(result.errorType).toBe('BLOCKED_ADDRESS');
    expect(result.errorMessage).toBe('Requests to 169.254.169.254 are blocked');
  });

  it('interrupts requests after close', async () => {
    executor = loopbackExecutor({});
    await executor.close();
    const result = await executor.execute(spec('/'));

    expect(result.errorType).toBe('INTERRUPTED');
    expect(result.errorMessage).toBe('Request interrupted: the executor closed before it was sent');
  });

  it('rejects invalid options', () => {
    expect(() => new HttpExecutor({ maxConcurrency: 0 })).toThrow('Invalid executor option maxConcurrency');
    expect(() => new HttpExecutor({ excerptBytes: 1.5 })).toThrow('Invalid executor option excerptBytes');
    expect(() => new HttpExecutor({ userAgent: 'a\r\nb' })).toThrow('Invalid executor option userAgent');
    expect(() => new HttpExecutor({ lookup: 'dns' as never })).toThrow('Invalid executor option lookup');
  });
});
