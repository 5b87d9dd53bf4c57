import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { HttpExecutor, type HttpRequestSpec } from '../../src/executor/index.js';
import { startTestServer, type TestServer, loopbackExecutor } from './test-server.js';

interface CountingServer extends TestServer {
  /** Highest number of requests the server was handling at once. */
  peak(): number;
  reset(): void;
}

/** Starts a server that responds to each request after `holdMs` and tracks how many it handles at once. */
async function startCountingServer(holdMs: number): Promise<CountingServer> {
  let current = 0;
  let peak = 0;
  const server = await startTestServer((_request, response) => {
    current += 1;
    peak = Math.max(peak, current);
    setTimeout(() => {
      current -= 1;
      response.end('done');
    }, holdMs);
  });

  return {
    ...server,
    peak: () => peak,
    reset: () => {
      peak = 0;
    },
  };
}

describe('HttpExecutor concurrency', () => {
  let first: CountingServer;
  let second: CountingServer;
  let executor: HttpExecutor;

  beforeAll(async () => {
    first = await startCountingServer(100);
    second = await startCountingServer(100);
  });

  afterEach(async () => {
    first.reset();
    second.reset();
    await executor?.close();
  });

  afterAll(async () => {
    await first.close();
    await second.close();
  });

  function spec(server: TestServer, overrides: Partial<HttpRequestSpec> = {}): HttpRequestSpec {
    return { method: 'GET', url: `${server.url}/`, headers: {}, body: null, timeoutMs: 10_000, ...overrides };
  }

  it('honours the global cap', async () => {
    executor = loopbackExecutor({ maxConcurrency: 3, maxPerHost: 10 });
    const pending = Array.from({ length: 10 }, () => executor.execute(spec(first)));
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(executor.inFlight).toBe(3);
    expect(executor.queued).toBe(7);

    const results = await Promise.all(pending);
    expect(results.every((result) => result.status === 'SUCCESS')).toBe(true);
    expect(first.peak()).toBe(3);
    expect(executor.inFlight).toBe(0);
  });

  it('honours the per-origin cap', async () => {
    executor = loopbackExecutor({ maxConcurrency: 10, maxPerHost: 2 });
    const pending = [
      ...Array.from({ length: 6 }, () => executor.execute(spec(first))),
      ...Array.from({ length: 6 }, () => executor.execute(spec(second))),
    ];

    const results = await Promise.all(pending);

    expect(results.every((result) => result.status === 'SUCCESS')).toBe(true);
    expect(first.peak()).toBe(2);
    expect(second.peak()).toBe(2);
  });

  it('does not count queue time toward timeout or latency', async () => {
    executor = loopbackExecutor({ maxConcurrency: 1 });
    // Each request takes about 100 ms, so the last waits about 400 ms for its slot.
    const results = await Promise.all(Array.from({ length: 5 }, () => executor.execute(spec(first, { timeoutMs: 300 }))));

    for (const result of results) {
      expect(result.status).toBe('SUCCESS');
      expect(result.latencyMs).toBeLessThan(300);
    }
  });

  it('interrupts a queued request whose signal aborts', async () => {
    executor = loopbackExecutor({ maxConcurrency: 1 });
    const running = executor.execute(spec(first));
    const controller = new AbortController();
    const queued = executor.execute(spec(first), controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 20));

    controller.abort();
    const result = await queued;

    expect(result.errorType).toBe('INTERRUPTED');
    expect(result.errorMessage).toBe('Request interrupted: the caller aborted it before it was sent');
    expect(result.latencyMs).toBe(0);
    expect(executor.queued).toBe(0);
    expect((await running).status).toBe('SUCCESS');
  });

  it('reuses keep-alive connections', async () => {
    executor = loopbackExecutor({});
    let connections = 0;
    const countConnection = (): void => {
      connections += 1;
    };
    first.server.on('connection', countConnection);

    try {
      for (let i = 0; i < 3; i += 1) {
        expect((await executor.execute(spec(first))).status).toBe('SUCCESS');
        // undici frees the connection for its pool a tick after the body ends.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      first.server.off('connection', countConnection);
    }

    expect(connections).toBe(1);
  });

  it('keeps queued requests on the capped connections', async () => {
    executor = loopbackExecutor({ maxPerHost: 2 });
    let connections = 0;
    const countConnection = (): void => {
      connections += 1;
    };
    first.server.on('connection', countConnection);

    try {
      const results = await Promise.all(Array.from({ length: 8 }, () => executor.execute(spec(first))));
      expect(results.every((result) => result.status === 'SUCCESS')).toBe(true);
    } finally {
      first.server.off('connection', countConnection);
    }

    expect(connections).toBe(2);
  });

  it('interrupts queued requests on close', async () => {
    executor = loopbackExecutor({ maxConcurrency: 1 });
    const running = executor.execute(spec(first));
    const queued = executor.execute(spec(first));
    await new Promise((resolve) => setTimeout(resolve, 20));

    await executor.close();

    expect((await queued).errorType).toBe('INTERRUPTED');
    expect((await running).status).toBe('SUCCESS');
  });
});
