import type { IncomingHttpHeaders } from 'node:http';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { HttpExecutor, type HttpRequestSpec } from '../../src/executor/index.js';
import { readRequestBody, startTestServer, type TestServer, loopbackExecutor } from './test-server.js';

interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const MiB = 1024 * 1024;

describe('HttpExecutor responses', () => {
  let server: TestServer;
  let executor: HttpExecutor;
  const received: ReceivedRequest[] = [];
  let largeBodyClosedEarly: Promise<boolean> | null = null;

  beforeAll(async () => {
    server = await startTestServer((request, response) => {
      void readRequestBody(request).then((body) => {
        received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
        const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;

        switch (path) {
          case '/ok':
            response.setHeader('X-Multi', ['one', 'two']);
            response.setHeader('Content-Type', 'text/plain');
            response.end('hello world');
            return;
          case '/not-found':
            response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such thing"}');
            return;
          case '/server-error':
            response.writeHead(500).end('boom');
            return;
          case '/unavailable':
            response.writeHead(503, { 'retry-after': '7' }).end();
            return;
          case '/rate-limited':
            response.writeHead(429, { 'retry-after': new Date(Date.now() + 60_000).toUTCString() }).end();
            return;
          case '/error-with-retry-after':
            response.writeHead(500, { 'retry-after': '7' }).end();
            return;
          case '/not-modified':
            response.writeHead(304).end();
            return;
          case '/reserved-headers':
            // Node lets a handler send these names, as any server could.
            response.setHeader('constructor', 'c');
            response.setHeader('prototype', 'p');
            response.setHeader('__proto__', 'x');
            response.setHeader('X-Kept', 'k');
            response.end('ok');
            return;
          case '/nul-body':
            response.end(Buffer.from('before\u0000after', 'utf8'));
            return;
          case '/utf8':
            response.end('€'.repeat(100));
            return;
          case '/large': {
            const size = Number(new URL(request.url ?? '/', 'http://127.0.0.1').searchParams.get('size'));
            largeBodyClosedEarly = new Promise((resolve) => response.on('close', () => resolve(!response.writableFinished)));
            writeBody(response, size);
            return;
          }
          default:
            response.end();
        }
      });
    });
  });

  afterEach(async () => {
    received.length = 0;
    await executor?.close();
  });

  afterAll(async () => {
    await server.close();
  });

  function spec(path: string, overrides: Partial<HttpRequestSpec> = {}): HttpRequestSpec {
    return { method: 'GET', url: `${server.url}${path}`, headers: {}, body: null, timeoutMs: 10_000, ...overrides };
  }

  it('records a successful response', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(spec('/ok'));

    expect(result.status).toBe('SUCCESS');
    expect(result.statusCode).toBe(200);
    expect(result.responseBody).toBe('hello world');
    expect(result.responseSize).toBe(11);
    expect(result.truncated).toBe(false);
    expect(result.errorType).toBeNull();
    expect(result.errorMessage).toBeNull();
    expect(result.retryAfterMs).toBeNull();
    expect(result.finalUrl).toBe(`${server.url}/ok`);
    expect(Number.isInteger(result.latencyMs)).toBe(true);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('lower-cases and joins response headers', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(spec('/ok'));

    expect(result.responseHeaders?.['x-multi']).toBe('one, two');
    expect(result.responseHeaders?.['content-type']).toBe('text/plain');
    expect(result.responseHeaders?.['X-Multi']).toBeUndefined();
  });

  it('leaves reserved names out of the response headers', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(spec('/reserved-headers'));

    expect(result.status).toBe('SUCCESS');
    expect(result.responseHeaders?.['x-kept']).toBe('k');
    expect(Object.keys(result.responseHeaders ?? {})).not.toContain('constructor');
    expect(Object.keys(result.responseHeaders ?? {})).not.toContain('prototype');
    expect(Object.keys(result.responseHeaders ?? {})).not.toContain('__proto__');
    expect(Object.getPrototypeOf(result.responseHeaders)).toBe(Object.prototype);
  });

  it('keeps the text after a NUL byte in the excerpt', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(spec('/nul-body'));

    expect(result.responseBody).toBe('before\uFFFDafter');
    expect(result.responseSize).toBe(12);
  });

  it('fails a 404 as HTTP_4XX with its body', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(spec('/not-found'));

    expect(result.status).toBe('FAILURE');
    expect(result.statusCode).toBe(404);
    expect(result.errorType).toBe('HTTP_4XX');
    expect(result.errorMessage).toBe('Server responded with HTTP 404');
    expect(result.responseBody).toBe('{"error":"no such thing"}');
    expect(result.responseHeaders?.['content-type']).toBe('application/json');
  });

  it('fails a 500 as HTTP_5XX with its body', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(spec('/server-error'));

    expect(result.status).toBe('FAILURE');
    expect(result.statusCode).toBe(500);
    expect(result.errorType).toBe('HTTP_5XX');
    expect(result.responseBody).toBe('boom');
  });

  it('treats a 3xx that is not followed as success', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(spec('/not-modified'));

    expect(result.status).toBe('SUCCESS');
    expect(result.statusCode).toBe(304);
  });

  it('reads Retry-After seconds on 503', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(spec('/unavailable'));

    expect(result.errorType).toBe('HTTP_5XX');
    expect(result.retryAfterMs).toBe(7_000);
  });

  it('reads a Retry-After date on 429', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(spec('/rate-limited'));

    expect(result.errorType).toBe('HTTP_4XX');
    // The header has whole seconds, so the delay lands within a second or so of 60 s.
    expect(result.retryAfterMs).toBeGreaterThan(57_000);
    expect(result.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('ignores Retry-After on other statuses', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(spec('/error-with-retry-after'));

    expect(result.retryAfterMs).toBeNull();
  });

  it('sends a JSON body as application/json', async () => {
    executor = loopbackExecutor({});
    await executor.execute(spec('/echo', { method: 'POST', body: '{"hello":"world"}' }));

    expect(received[0]?.method).toBe('POST');
    expect(received[0]?.body).toBe('{"hello":"world"}');
    expect(received[0]?.headers['content-type']).toBe('application/json');
    expect(received[0]?.headers['content-length']).toBe('17');
  });

  it('sends a non-JSON body as text/plain', async () => {
    executor = loopbackExecutor({});
    await executor.execute(spec('/echo', { method: 'PUT', body: 'plain words' }));

    expect(received[0]?.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('keeps a Content-Type the target sets', async () => {
    executor = loopbackExecutor({});
    await executor.execute(
      spec('/echo', { method: 'POST', body: '{"a":1}', headers: { 'Content-Type': 'application/vnd.api+json' } }),
    );

    expect(received[0]?.headers['content-type']).toBe('application/vnd.api+json');
  });

  it('sends no body with GET', async () => {
    executor = loopbackExecutor({});
    await executor.execute(spec('/echo', { method: 'GET', body: '{"ignored":true}' }));

    expect(received[0]?.body).toBe('');
    expect(received[0]?.headers['content-type']).toBeUndefined();
  });

  it('sends the default User-Agent', async () => {
    executor = loopbackExecutor({ userAgent: 'api-scheduler-test/1.0' });
    await executor.execute(spec('/echo'));

    expect(received[0]?.headers['user-agent']).toBe('api-scheduler-test/1.0');
  });

  it('keeps the User-Agent the target sets', async () => {
    executor = loopbackExecutor({});
    await executor.execute(spec('/echo', { headers: { 'user-agent': 'custom/2', 'X-Api-Key': 'k' } }));

    expect(received[0]?.headers['user-agent']).toBe('custom/2');
    expect(received[0]?.headers['x-api-key']).toBe('k');
  });

  it('drops a stale Content-Length the target sets', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(spec('/echo', { method: 'POST', body: 'abc', headers: { 'Content-Length': '999' } }));

    expect(result.status).toBe('SUCCESS');
    expect(received[0]?.headers['content-length']).toBe('3');
  });

  it('ends a cut UTF-8 excerpt on a whole character', async () => {
    // "€" is three bytes in UTF-8, so 10 bytes hold three whole characters and a third of one.
    executor = loopbackExecutor({ excerptBytes: 10 });
    const result = await executor.execute(spec('/utf8'));

    expect(result.responseBody).toBe('€€€');
    expect(result.responseSize).toBe(300);
    expect(result.truncated).toBe(true);
  });

  it('counts a 20 MiB body and keeps the excerpt', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(spec(`/large?size=${20 * MiB}`));

    expect(result.status).toBe('SUCCESS');
    expect(result.responseSize).toBe(20 * MiB);
    expect(result.responseBody).toHaveLength(16 * 1024);
    expect(result.truncated).toBe(true);
  });

  it('stops reading at maxBodyBytes', async () => {
    executor = loopbackExecutor({ maxBodyBytes: MiB, excerptBytes: 100 });
    const result = await executor.execute(spec(`/large?size=${20 * MiB}`));

    expect(result.status).toBe('SUCCESS');
    expect(result.responseSize).toBe(MiB);
    expect(result.responseBody).toHaveLength(100);
    expect(result.truncated).toBe(true);
    expect(await largeBodyClosedEarly).toBe(true);
  });

  it('reads a 1 GiB body in bounded memory', async () => {
    executor = loopbackExecutor({ maxBodyBytes: 2 * 1024 * MiB });
    const baseline = memoryInUse();
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, memoryInUse());
    }, 20);

    try {
      const result = await executor.execute(spec(`/large?size=${1024 * MiB}`, { timeoutMs: 60_000 }));

      expect(result.status).toBe('SUCCESS');
      expect(result.responseSize).toBe(1024 * MiB);
    } finally {
      clearInterval(sampler);
    }

    // Server and client share this process; a buffered body would add 1 GiB.
    expect(peak - baseline).toBeLessThan(128 * MiB);
  });
});

/** Writes `size` bytes of 'x' with backpressure, reusing one 64 KiB chunk. */
function writeBody(response: import('node:http').ServerResponse, size: number): void {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let remaining = size;
  response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) });

  const writeMore = (): void => {
    while (remaining > 0) {
      const piece = remaining >= chunk.length ? chunk : chunk.subarray(0, remaining);
      remaining -= piece.length;
      if (!response.write(piece)) {
        response.once('drain', writeMore);
        return;
      }
    }
    response.end();
  };
  response.on('close', () => {
    remaining = 0;
  });
  writeMore();
}

function memoryInUse(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}
