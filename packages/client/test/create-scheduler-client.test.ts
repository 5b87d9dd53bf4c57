import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TargetServer } from '../../../apps/server/test/support/target-server.js';
import { createSchedulerClient } from '../src/index.js';
import type { RunChange } from '../src/index.js';
import { startServerWithKeys } from './support/server-with-keys.js';
import type { ServerWithKeys } from './support/server-with-keys.js';

let setup: ServerWithKeys;
let target: TargetServer;

beforeAll(async () => {
  target = await new TargetServer().start();
  setup = await startServerWithKeys();
});

afterAll(async () => {
  await setup?.server.dispose();
  await target?.stop();
});

describe('createSchedulerClient', () => {
  it('sends calls of one tick as one batch with the key', async () => {
    const requests: { url: string; authorization: string | null }[] = [];
    const countingFetch: typeof fetch = async (input, init) => {
      requests.push({ url: String(input), authorization: new Headers(init?.headers).get('authorization') });
      return fetch(input, init);
    };
    const client = createSchedulerClient({ url: setup.trpcUrl, apiKey: setup.writeKey, fetch: countingFetch });

    const created = await client.targets.create.mutate({ url: `${target.url}/batch`, method: 'POST', name: 'batch' });
    const [targets, health] = await Promise.all([client.targets.list.query({}), client.system.health.query()]);

    expect(created.created_at).toBeInstanceOf(Date);
    expect(targets.items.map((item) => item.id)).toContain(created.id);
    expect(health.status).toBe('ok');
    expect(requests).toHaveLength(2);
    expect(requests[1]!.url).toContain('targets.list,system.health');
    expect(requests.every((request) => request.authorization === `Bearer ${setup.writeKey}`)).toBe(true);
  });

  it('receives runs.onRun events with the key in Node.js', async () => {
    const client = createSchedulerClient({ url: setup.trpcUrl, apiKey: setup.writeKey });
    const { id: targetId } = await client.targets.create.mutate({ url: `${target.url}/live`, method: 'GET' });
    const schedule = await client.schedules.create.mutate({ target_id: targetId, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 3600 } });

    const events: RunChange[] = [];
    const finished = new Promise<RunChange>((resolve, reject) => {
      const subscription = client.runs.onRun.subscribe(
        { schedule_id: schedule.id },
        {
          onStarted: () => void client.schedules.trigger.mutate({ id: schedule.id }).catch(reject),
          onData: (event) => {
            events.push(event);
            if (event.kind !== 'finished') return;
            subscription.unsubscribe();
            resolve(event);
          },
          onError: reject,
        },
      );
    });

    const event = await finished;
    expect(event.run.schedule_id).toBe(schedule.id);
    expect(event.run.status).toBe('SUCCESS');
    expect(event.run.finished_at).toBeInstanceOf(Date);
    expect(events.map((item) => item.kind)).toEqual(['started', 'finished']);
    expect(target.requestsTo('/live')).toHaveLength(1);
  });

  it('rejects a missing url', () => {
    expect(() => createSchedulerClient({ url: '' })).toThrow(/url is missing/);
  });

  it('rejects an api key with spaces', () => {
    expect(() => createSchedulerClient({ url: setup.trpcUrl, apiKey: 'sk_a b' })).toThrow(/apiKey must be a non-empty string without spaces/);
  });
});
