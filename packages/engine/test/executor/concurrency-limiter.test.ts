import { describe, expect, it } from 'vitest';

import { ConcurrencyLimiter } from '../../src/executor/concurrency-limiter.js';

async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('ConcurrencyLimiter', () => {
  it('grants global slots in FIFO order', async () => {
    const limiter = new ConcurrencyLimiter(1, 10);
    const order: string[] = [];
    const releaseFirst = await limiter.acquire('a');

    const waiting = ['b', 'c', 'd'].map((key) =>
      limiter.acquire(key).then((release) => {
        order.push(key);
        release();
      }),
    );
    await settle();
    expect(limiter.queued).toBe(3);

    releaseFirst();
    await Promise.all(waiting);

    expect(order).toEqual(['b', 'c', 'd']);
    expect(limiter.active).toBe(0);
    expect(limiter.queued).toBe(0);
  });

  it('lets other keys pass a saturated key', async () => {
    const limiter = new ConcurrencyLimiter(10, 1);
    const releaseA = await limiter.acquire('a');
    let secondAGranted = false;
    void limiter.acquire('a').then((release) => {
      secondAGranted = true;
      release();
    });

    const releaseB = await limiter.acquire('b');
    await settle();

    expect(secondAGranted).toBe(false);
    expect(limiter.active).toBe(2);

    releaseA();
    await settle();
    expect(secondAGranted).toBe(true);
    releaseB();
  });

  it('removes an aborted waiter from the queue', async () => {
    const limiter = new ConcurrencyLimiter(1, 1);
    const release = await limiter.acquire('a');
    const controller = new AbortController();
    const waiting = limiter.acquire('a', controller.signal);

    controller.abort(new Error('stop'));

    await expect(waiting).rejects.toThrow('stop');
    expect(limiter.queued).toBe(0);
    release();
    const next = await limiter.acquire('a');
    expect(limiter.active).toBe(1);
    next();
  });

  it('ignores a second release', async () => {
    const limiter = new ConcurrencyLimiter(2, 2);
    const release = await limiter.acquire('a');

    release();
    release();

    expect(limiter.active).toBe(0);
    const first = await limiter.acquire('a');
    const second = await limiter.acquire('a');
    expect(limiter.active).toBe(2);
    first();
    second();
  });

  it('rejects waiters and later requests on close', async () => {
    const limiter = new ConcurrencyLimiter(1, 1);
    const release = await limiter.acquire('a');
    const waiting = limiter.acquire('a');

    limiter.close(new Error('closed'));

    await expect(waiting).rejects.toThrow('closed');
    await expect(limiter.acquire('b')).rejects.toThrow('closed');
    release();
    expect(limiter.active).toBe(0);
  });
});
