import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ServerProcess, sleep, waitFor } from './support/server-process.js';
import { TargetServer } from './support/target-server.js';
import type { ReceivedRequest } from './support/target-server.js';

// Alerts end to end: the built server in a child process, a target on
// 127.0.0.1 that fails on cue, and a webhook receiver on 127.0.0.1 that
// records every notification.

const CHECK_INTERVAL_MS = 200;
let target: TargetServer;
let receiver: TargetServer;
let server: ServerProcess;

beforeAll(async () => {
  target = await new TargetServer().start();
  receiver = await new TargetServer().start();
  server = new ServerProcess({ SCHEDULER_ALERT_CHECK_INTERVAL_MS: String(CHECK_INTERVAL_MS) });
  await server.start();
}, 60_000);

afterAll(async () => {
  await server?.dispose();
  await target?.stop();
  await receiver?.stop();
});

async function createTarget(path: string): Promise<string> {
  const created = await server.request('POST', '/targets/', { name: path, url: `${target.url}${path}`, method: 'POST', timeout_ms: 5_000 });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

async function createSchedule(targetId: string, alert: Record<string, unknown>, intervalSeconds = 1): Promise<string> {
  const created = await server.request('POST', '/schedules/', {
    target_id: targetId,
    schedule_type: 'INTERVAL',
    schedule_config: { interval_seconds: intervalSeconds },
    retry_policy: { max_retries: 0 },
    alert,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as string;
}

function notificationsTo(path: string): Array<ReceivedRequest & { json: any }> {
  return receiver.requestsTo(path).map((request) => ({ ...request, json: JSON.parse(request.body) }));
}

describe('alerts', () => {
  it('failing after N failures, then recovered', async () => {
    // The first four fires fail with 500; every later one succeeds.
    let calls = 0;
    target.on('/flaky', (_request, response) => {
      calls += 1;
      response.writeHead(calls <= 4 ? 500 : 200).end();
    });
    const scheduleId = await createSchedule(await createTarget('/flaky'), {
      webhook_url: `${receiver.url}/hook`,
      after_consecutive_failures: 3,
    });

    await waitFor(async () => notificationsTo('/hook').length >= 2, 30_000, 'the failing and recovered notifications');
    // Three more fires: a duplicate would arrive within them.
    const runsSeen = (await server.runsOf(scheduleId)).length;
    await waitFor(async () => (await server.runsOf(scheduleId)).length >= runsSeen + 3, 15_000, 'three more runs');
    await sleep(3 * CHECK_INTERVAL_MS);

    const received = notificationsTo('/hook');
    expect(received.map((request) => request.json.event)).toEqual(['schedule.failing', 'schedule.recovered']);
    const [failing, recovered] = received;

    expect(failing!.json).toMatchObject({
      event: 'schedule.failing',
      schedule: { id: scheduleId, alert_state: 'FAILING', previous_state: 'OK', consecutive_failures: 3 },
      run: { status: 'FAILURE', status_code: 500, error_type: 'HTTP_5XX' },
    });
    expect(failing!.json.text).toContain('3 failed fires in a row');
    expect(recovered!.json).toMatchObject({
      event: 'schedule.recovered',
      schedule: { alert_state: 'OK', previous_state: 'FAILING', consecutive_failures: 4 },
      run: { status: 'SUCCESS', status_code: 200 },
    });
    expect(failing!.headers['content-type']).toBe('application/json');
    expect(failing!.headers['x-scheduler-event']).toBe('schedule.failing');
    expect(failing!.headers['idempotency-key']).toBe(failing!.json.id);
    expect(recovered!.headers['idempotency-key']).not.toBe(failing!.headers['idempotency-key']);

    // The failing notification came after the third failed run and before the fourth was recorded as such.
    const runs = (await server.runsOf(scheduleId)).reverse();
    expect(runs.slice(0, 5).map((run: any) => run.status)).toEqual(['FAILURE', 'FAILURE', 'FAILURE', 'FAILURE', 'SUCCESS']);
    expect(failing!.json.run.id).toBe(runs[2].id);
    expect(recovered!.json.run.id).toBe(runs[4].id);

    const schedule = await server.request('GET', `/schedules/${scheduleId}`);
    expect(schedule.body).toMatchObject({ alert_state: 'OK', alert_failures: 0 });
    expect(schedule.body.alert).toEqual({ webhook_url: `${receiver.url}/hook`, format: 'json', after_consecutive_failures: 3, silence_after_seconds: null });

    await server.request('POST', `/schedules/${scheduleId}/pause`);
  }, 60_000);

  it('slack format with a retried delivery', async () => {
    target.on('/down', (_request, response) => response.writeHead(503).end());
    // The receiver refuses the first delivery, so the notification is sent a second time.
    let deliveries = 0;
    receiver.on('/slack', (_request, response) => {
      deliveries += 1;
      response.writeHead(deliveries === 1 ? 502 : 200).end('ok');
    });
    const scheduleId = await createSchedule(await createTarget('/down'), {
      webhook_url: `${receiver.url}/slack`,
      format: 'slack',
      after_consecutive_failures: 1,
    });

    await waitFor(async () => deliveries >= 2, 30_000, 'the second delivery attempt');
    await server.request('POST', `/schedules/${scheduleId}/pause`);
    await sleep(5 * CHECK_INTERVAL_MS);

    const received = notificationsTo('/slack');
    expect(received).toHaveLength(2);
    expect(received[0]!.body).toBe(received[1]!.body);
    expect(Object.keys(received[1]!.json)).toEqual(['text']);
    expect(received[1]!.json.text).toMatch(/^API Scheduler: Schedule ".+" is failing: 1 failed fire in a row\. Last run: HTTP 503 \(HTTP_5XX\)\.$/);

    const history = await server.request('GET', `/schedules/${scheduleId}/alerts`);
    expect(history.status).toBe(200);
    expect(history.body).toHaveLength(1);
    expect(history.body[0]).toMatchObject({ event: 'schedule.failing', delivery: 'DELIVERED', attempts: 2, last_error: null });
  }, 60_000);

  it('silent after downtime, then recovered', async () => {
    const scheduleId = await createSchedule(
      await createTarget('/steady'),
      { webhook_url: `${receiver.url}/silence`, after_consecutive_failures: 3, silence_after_seconds: 2 },
      1,
    );
    await waitFor(async () => (await server.runsOf(scheduleId)).length >= 2, 15_000, 'two runs');

    // While no process runs, the schedule's fires become overdue.
    expect(await server.stop()).toBe(0);
    await sleep(3_500);
    await server.start();

    await waitFor(async () => notificationsTo('/silence').length >= 2, 15_000, 'the silent and recovered notifications');
    await sleep(2_000);
    await server.request('POST', `/schedules/${scheduleId}/pause`);

    const received = notificationsTo('/silence');
    expect(received.map((request) => request.json.event)).toEqual(['schedule.silent', 'schedule.recovered']);
    const [silent, recovered] = received;
    expect(silent!.json).toMatchObject({ schedule: { id: scheduleId, alert_state: 'SILENT', previous_state: 'OK' }, run: null });
    expect(Date.parse(silent!.json.overdue_run_at)).toBeLessThanOrEqual(Date.parse(silent!.json.created_at) - 2_000);
    expect(silent!.json.text).toContain('has not happened within 2 seconds');
    expect(recovered!.json).toMatchObject({ schedule: { previous_state: 'SILENT', alert_state: 'OK' }, run: { status: 'SUCCESS' } });
    expect(recovered!.json.text).toContain('fires again after being silent');
  }, 60_000);

  it('invalid alert fields give 422', async () => {
    const targetId = await createTarget('/unused');
    const cases: Array<[unknown, string, string]> = [
      [{ webhook_url: 'ftp://example.test/hook' }, 'alert.webhook_url', 'Unsupported URL scheme "ftp"'],
      [{ webhook_url: `${receiver.url}/hook`, after_consecutive_failures: 0 }, 'alert.after_consecutive_failures', 'after_consecutive_failures must be at least 1'],
      [{ webhook_url: `${receiver.url}/hook`, silence_after_seconds: 1.5 }, 'alert.silence_after_seconds', 'silence_after_seconds must be a whole number of seconds'],
      [{ webhook_url: `${receiver.url}/hook`, format: 'teams' }, 'alert.format', 'format must be one of json, slack'],
      [{ webhook_url: `${receiver.url}/hook`, channel: '#ops' }, 'alert.channel', 'Unrecognized key "channel"'],
      ['yes', 'alert', 'alert must be an object or null'],
    ];
    for (const [alert, loc, message] of cases) {
      const response = await server.request('POST', '/schedules/', { target_id: targetId, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 60 }, alert });
      expect(response.status, JSON.stringify(alert)).toBe(422);
      const detail = response.body.detail.find((issue: { loc: string[] }) => issue.loc.join('.') === `body.${loc}` || issue.loc.join('.') === loc);
      expect(detail, JSON.stringify(response.body)).toBeDefined();
      expect(detail.msg).toContain(message);
    }
  }, 30_000);

  it('blocked webhook fails at once', async () => {
    // Without SCHEDULER_ALLOW_PRIVATE_TARGETS the guard blocks loopback: the
    // target's fires fail with BLOCKED_ADDRESS, and so does the webhook.
    const guarded = new ServerProcess({ SCHEDULER_ALERT_CHECK_INTERVAL_MS: String(CHECK_INTERVAL_MS), SCHEDULER_ALLOW_PRIVATE_TARGETS: 'false' });
    try {
      await guarded.start();
      const createdTarget = await guarded.request('POST', '/targets/', { url: 'http://localhost:9/blocked', method: 'GET' });
      expect(createdTarget.status).toBe(201);
      const created = await guarded.request('POST', '/schedules/', {
        target_id: createdTarget.body.id,
        schedule_type: 'INTERVAL',
        schedule_config: { interval_seconds: 1 },
        retry_policy: { max_retries: 0 },
        // A host name passes the check at create time; its addresses are checked when it is sent to.
        alert: { webhook_url: `http://localhost:${new URL(receiver.url).port}/blocked`, after_consecutive_failures: 1 },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);

      const history = await waitFor(async () => {
        const listed = await guarded.request('GET', `/schedules/${created.body.id}/alerts`);
        return listed.body.length > 0 && listed.body[0].delivery !== 'PENDING' ? listed.body : null;
      }, 15_000, 'the notification to be given up');
      expect(history[0]).toMatchObject({ event: 'schedule.failing', delivery: 'FAILED', attempts: 1 });
      expect(history[0].last_error).toContain('BLOCKED_ADDRESS');
      expect(receiver.requestsTo('/blocked')).toEqual([]);
    } finally {
      await guarded.dispose();
    }
  }, 30_000);

  it('alert null clears the state', async () => {
    target.on('/always-down', (_request, response) => response.writeHead(500).end());
    const scheduleId = await createSchedule(await createTarget('/always-down'), { webhook_url: `${receiver.url}/removed`, after_consecutive_failures: 1 });
    await waitFor(async () => (await server.request('GET', `/schedules/${scheduleId}`)).body.alert_state === 'FAILING', 15_000, 'the FAILING state');

    const updated = await server.request('PATCH', `/schedules/${scheduleId}`, { alert: null });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ alert: null, alert_state: 'OK', alert_failures: 0 });
    await sleep(1_500);
    expect((await server.request('GET', `/schedules/${scheduleId}`)).body).toMatchObject({ alert_state: 'OK', alert_failures: 0 });
    await server.request('POST', `/schedules/${scheduleId}/pause`);
  }, 30_000);
});
