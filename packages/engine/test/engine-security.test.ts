import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DEFAULT_RETRY_POLICY, DENY_PRIVATE_POLICY } from '@api-scheduler/core';

import { EngineFixture, sleep, waitFor } from './engine-fixture.js';

let fixture: EngineFixture;

beforeEach(async () => {
  fixture = new EngineFixture();
  await fixture.setUp();
});

afterEach(async () => {
  await fixture.tearDown();
});

describe('engine with the address guard', () => {
  it('records BLOCKED_ADDRESS for a loopback target and sends nothing', async () => {
    const target = await fixture.addTarget('/blocked');
    // Retries would be attempted for a retryable error; a blocked address must not be one.
    const schedule = await fixture.addSchedule(target, Date.now() + 100, { retry_policy: { ...DEFAULT_RETRY_POLICY, max_retries: 3, initial_delay_ms: 50 } });
    await fixture.createEngine({ executor: { addressPolicy: DENY_PRIVATE_POLICY } }).start();

    const [run] = await waitFor(async () => {
      const runs = (await fixture.runsOf(schedule.id)).filter((candidate) => candidate.status !== 'RUNNING');
      return runs.length > 0 ? runs : null;
    });

    expect(run!.status).toBe('FAILURE');
    expect(run!.error_type).toBe('BLOCKED_ADDRESS');
    expect(run!.error_message).toContain('Blocked address 127.0.0.1 (loopback)');
    expect(run!.error_message).toContain('SCHEDULER_ALLOW_PRIVATE_TARGETS=true');
    expect(fixture.connections).toBe(0);
    expect(fixture.received).toHaveLength(0);

    // Three retries 50 ms apart would have started by now.
    await sleep(500);
    expect(await fixture.runsOf(schedule.id)).toHaveLength(1);
  });
});

describe('run records', () => {
  it('stores secret response headers masked', async () => {
    fixture.on('/cookie', (_request, response) => {
      response.writeHead(200, { 'set-cookie': 'session=very-secret', 'x-request-id': 'r1' }).end('ok');
    });
    const target = await fixture.addTarget('/cookie');
    const schedule = await fixture.addSchedule(target, Date.now() + 100);
    await fixture.createEngine().start();

    const [run] = await waitFor(async () => {
      const runs = (await fixture.runsOf(schedule.id)).filter((candidate) => candidate.status !== 'RUNNING');
      return runs.length > 0 ? runs : null;
    });

    expect(run!.status).toBe('SUCCESS');
    expect(run!.response_headers?.['set-cookie']).toBe('***');
    expect(run!.response_headers?.['x-request-id']).toBe('r1');
  });
});
