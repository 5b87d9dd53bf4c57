import type { IncomingHttpHeaders } from 'node:http';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { HttpExecutor, type HttpRequestSpec } from '../../src/executor/index.js';
import { readRequestBody, startTestServer, type TestServer, loopbackExecutor } from './test-server.js';

interface ReceivedRequest {
  server: 'first' | 'second';
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('HttpExecutor redirects', () => {
  // Two ports on 127.0.0.1 are two origins.
  let first: TestServer;
  let second: TestServer;
  let executor: HttpExecutor;
  const received: ReceivedRequest[] = [];

  function redirect(response: import('node:http').ServerResponse, status: number, location: string): void {
    response.writeHead(status, { location }).end('moved');
  }

  beforeAll(async () => {
    second = await startTestServer((request, response) => {
      void readRequestBody(request).then((body) => {
        received.push({ server: 'second', method: request.method ?? '', path: request.url ?? '', headers: request.headers, body });
        response.end('landed on second');
      });
    });

    first = await startTestServer((request, response) => {
      void readRequestBody(request).then((body) => {
        const path = request.url ?? '/';
        received.push({ server: 'first', method: request.method ?? '', path, headers: request.headers, body });

        // /hops/N redirects to /hops/N-1, so /hops/N needs exactly N redirects.
        const hops = /^\/hops\/(\d+)$/.exec(path);
        if (hops && hops[1] !== '0') return redirect(response, 302, `/hops/${Number(hops[1]) - 1}`);

        switch (path) {
          case '/chain':
            return redirect(response, 302, '/chain/2');
          case '/chain/2':
            return redirect(response, 301, `${first.url}/chain/3`);
          case '/chain/3':
            return redirect(response, 308, 'done');
          case '/chain/done':
            return void response.end('end of chain');
          case '/loop':
            return redirect(response, 302, '/loop');
          case '/see-other':
            return redirect(response, 303, '/result');
          case '/found':
            return redirect(response, 302, '/result');
          case '/temporary':
            return redirect(response, 307, '/result');
          case '/cross-origin':
            return redirect(response, 302, `${second.url}/landing`);
          case '/same-origin':
            return redirect(response, 302, '/landing');
          case '/to-ftp':
            return redirect(response, 302, 'ftp://127.0.0.1/file');
          case '/hops/0':
            return void response.end('end of hops');
          case '/no-location':
            return void response.writeHead(302).end('nowhere');
          default:
            response.end(`result of ${request.method}`);
        }
      });
    });
  });

  afterEach(async () => {
    received.length = 0;
    await executor?.close();
  });

  afterAll(async () => {
    await first.close();
    await second.close();
  });

  function spec(path: string, overrides: Partial<HttpRequestSpec> = {}): HttpRequestSpec {
    return { method: 'GET', url: `${first.url}${path}`, headers: {}, body: null, timeoutMs: 10_000, ...overrides };
  }

  it('follows a chain to the final URL', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(spec('/chain'));

    expect(result.status).toBe('SUCCESS');
    expect(result.statusCode).toBe(200);
    expect(result.responseBody).toBe('end of chain');
    expect(result.finalUrl).toBe(`${first.url}/chain/done`);
    expect(received.map((request) => request.path)).toEqual(['/chain', '/chain/2', '/chain/3', '/chain/done']);
  });

  it('fails a loop with TOO_MANY_REDIRECTS', async () => {
    executor = loopbackExecutor({ maxRedirects: 3 });
    const result = await executor.execute(spec('/loop'));

    expect(result.status).toBe('FAILURE');
    expect(result.errorType).toBe('TOO_MANY_REDIRECTS');
    expect(result.errorMessage).toBe('Too many redirects: more than the maximum of 3');
    expect(result.statusCode).toBe(302);
    expect(result.responseBody).toBe('moved');
    expect(result.finalUrl).toBe(`${first.url}/loop`);
    // The first request and three redirects.
    expect(received).toHaveLength(4);
  });

  it('follows ten redirects by default', async () => {
    const defaults = loopbackExecutor({});
    try {
      const result = await defaults.execute({ method: 'GET', url: `${first.url}/hops/10`, headers: {}, body: null, timeoutMs: 5_000 });
      expect(result.status).toBe('SUCCESS');
      expect(result.responseBody).toBe('end of hops');
      expect(result.finalUrl).toBe(`${first.url}/hops/0`);
    } finally {
      await defaults.close();
    }
  });

  it('fails the eleventh redirect by default', async () => {
    const defaults = loopbackExecutor({});
    try {
      const result = await defaults.execute({ method: 'GET', url: `${first.url}/hops/11`, headers: {}, body: null, timeoutMs: 5_000 });
      expect(result.status).toBe('FAILURE');
      expect(result.errorType).toBe('TOO_MANY_REDIRECTS');
    } finally {
      await defaults.close();
    }
  });

  it('fails any redirect when maxRedirects is 0', async () => {
    executor = loopbackExecutor({ maxRedirects: 0 });
    const result = await executor.execute(spec('/chain'));

    expect(result.errorType).toBe('TOO_MANY_REDIRECTS');
    expect(received).toHaveLength(1);
  });

  it('turns a POST into a GET on 303', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(spec('/see-other', { method: 'POST', body: '{"a":1}' }));

    expect(result.responseBody).toBe('result of GET');
    expect(received[1]?.method).toBe('GET');
    expect(received[1]?.body).toBe('');
    expect(received[1]?.headers['content-type']).toBeUndefined();
  });

  it('turns a POST into a GET on 302', async () => {
    executor = loopbackExecutor({});
    await executor.execute(spec('/found', { method: 'POST', body: 'data' }));

    expect(received[1]?.method).toBe('GET');
    expect(received[1]?.body).toBe('');
  });

  it('keeps method and body on 307', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(spec('/temporary', { method: 'POST', body: '{"a":1}' }));

    expect(result.responseBody).toBe('result of POST');
    expect(received[1]?.method).toBe('POST');
    expect(received[1]?.body).toBe('{"a":1}');
    expect(received[1]?.headers['content-type']).toBe('application/json');
  });

  it('drops credentials across origins', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(
      spec('/cross-origin', { headers: { Authorization: 'Bearer secret', Cookie: 'session=1', 'X-Trace': 'abc' } }),
    );

    expect(result.responseBody).toBe('landed on second');
    expect(result.finalUrl).toBe(`${second.url}/landing`);
    expect(received[0]?.headers.authorization).toBe('Bearer secret');
    expect(received[1]?.server).toBe('second');
    expect(received[1]?.headers.authorization).toBeUndefined();
    expect(received[1]?.headers.cookie).toBeUndefined();
    expect(received[1]?.headers['x-trace']).toBe('abc');
  });

  it('drops every secret header across origins', async () => {
    executor = loopbackExecutor({});
    const secrets = {
      'X-Api-Key': 'k',
      'X-Auth-Token': 't',
      'Client-Secret': 's',
      'Proxy-Authorization': 'Basic cA==',
      'X-Webhook-Signature': 'sha256=abc',
    };
    await executor.execute(spec('/cross-origin', { headers: { ...secrets, 'Idempotency-Key': 'fire-1', Accept: 'text/plain' } }));

    expect(received[0]?.headers['x-api-key']).toBe('k');
    expect(received[1]?.server).toBe('second');
    for (const name of Object.keys(secrets)) {
      expect(received[1]?.headers[name.toLowerCase()], name).toBeUndefined();
    }
    // Not a credential: the second server must see the same key for the same fire.
    expect(received[1]?.headers['idempotency-key']).toBe('fire-1');
    expect(received[1]?.headers.accept).toBe('text/plain');
  });

  it('keeps credentials on the same origin', async () => {
    executor = loopbackExecutor({});
    await executor.execute(spec('/same-origin', { headers: { Authorization: 'Bearer secret', Cookie: 'session=1' } }));

    expect(received[1]?.path).toBe('/landing');
    expect(received[1]?.headers.authorization).toBe('Bearer secret');
    expect(received[1]?.headers.cookie).toBe('session=1');
  });

  it('fails on a non-http Location', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(spec('/to-ftp'));

    expect(result.status).toBe('FAILURE');
    expect(result.errorType).toBe('NETWORK_ERROR');
    expect(result.errorMessage).toBe('Redirect 302 to a ftp: URL not followed: only http and https are allowed');
    expect(result.statusCode).toBe(302);
    expect(result.responseHeaders?.location).toBe('ftp://127.0.0.1/file');
    expect(received).toHaveLength(1);
  });

  it('does not follow a redirect without Location', async () => {
    executor = loopbackExecutor({});
    const result = await executor.execute(spec('/no-location'));

    expect(result.status).toBe('SUCCESS');
    expect(result.statusCode).toBe(302);
    expect(result.responseBody).toBe('nowhere');
  });

  it('runs the target check on every hop', async () => {
    const checked: Array<[string, number]> = [];
    executor = loopbackExecutor({ checkTarget: (url, hop) => void checked.push([url.pathname, hop]) });
    await executor.execute(spec('/chain'));

    expect(checked).toEqual([
      ['/chain', 0],
      ['/chain/2', 1],
      ['/chain/3', 2],
      ['/chain/done', 3],
    ]);
  });
});
