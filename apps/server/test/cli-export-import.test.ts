import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { DEFAULT_RETRY_POLICY, NO_ALERT, newId, resolveScheduleConfig } from '@api-scheduler/core';
import { createStore } from '@api-scheduler/db';
import { probePostgresTestServer } from '@api-scheduler/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const postgres = await probePostgresTestServer();
if (postgres.skipReason !== null) console.warn(postgres.skipReason);
let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'cli-export-test-'));
});

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

function runCli(args: string[], databaseUrl: string, input?: string) {
  const result = spawnSync(process.execPath, [cli, ...args], {
    env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    input: input ?? '',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Fills a new libSQL file with two targets (one with a secret header and a signing secret) and three schedules in different states. */
async function createSourceDatabase(name: string): Promise<string> {
  const url = `file:${join(dataDir, name)}`;
  const store = await createStore({ url });
  await store.migrate();
  const created = new Date('2026-01-02T03:04:05.678Z');
  const plain = await store.createTarget({ id: newId(), name: 'plain', url: 'http://127.0.0.1:9/plain', method: 'GET', headers: { Accept: 'text/plain' }, body_template: null, timeout_ms: 5_000, created_at: created, updated_at: created });
  const secret = await store.createTarget({
    id: newId(),
    name: 'signed',
    url: 'http://127.0.0.1:9/signed',
    method: 'POST',
    headers: { Authorization: 'Bearer token-value', 'Content-Type': 'application/json' },
    body_template: '{"at":"{{now}}"}',
    timeout_ms: 10_000,
    signing_secret: 'signing-secret-value',
    created_at: created,
    updated_at: created,
  });

  const config = resolveScheduleConfig('INTERVAL', { interval_seconds: 60, start_time: created.toISOString() }, { now: created.getTime(), timezone: 'UTC' });
  const base = {
    schedule_type: 'INTERVAL' as const,
    schedule_config: config,
    timezone: 'UTC',
    retry_policy: DEFAULT_RETRY_POLICY,
    overlap_policy: 'skip' as const,
    misfire_policy: 'fire_once' as const,
    ...NO_ALERT,
    created_at: created,
    updated_at: created,
  };
  await store.createSchedule({ ...base, id: newId(), target_id: plain.id, name: 'active', status: 'ACTIVE', next_run_at: new Date('2026-01-02T03:05:05.678Z'), run_count: 7, last_run_at: new Date('2026-01-02T03:04:05.678Z'),
    // An alert in the middle of its FAILING state, so the export carries the state as well as the config.
    alert: { webhook_url: 'http://127.0.0.1:9/alerts', format: 'slack', after_consecutive_failures: 2, silence_after_seconds: 600 },
    alert_state: 'FAILING',
    alert_failures: 4,
    alert_changed_at: new Date('2026-01-02T03:04:06.000Z'),
  });
  await store.createSchedule({ ...base, id: newId(), target_id: secret.id, name: 'paused', status: 'PAUSED', next_run_at: null, run_count: 0, last_run_at: null, overlap_policy: 'allow' });
  await store.createSchedule({ ...base, id: newId(), target_id: secret.id, name: 'done', status: 'COMPLETED', next_run_at: null, run_count: 1, last_run_at: created, misfire_policy: 'skip' });
  await store.close();
  return url;
}

describe('api-scheduler export and import', () => {
  it('exports targets and schedules as stored', async () => {
    const source = await createSourceDatabase('export-source.db');

    const result = runCli(['export'], source);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(Object.keys(document)).toEqual(['targets', 'schedules']);
    expect(document.targets.map((target: { name: string }) => target.name)).toEqual(['plain', 'signed']);
    expect(document.schedules.map((schedule: { status: string }) => schedule.status)).toEqual(['ACTIVE', 'PAUSED', 'COMPLETED']);
    // No SCHEDULER_SECRET_KEY was set when the source was written, so the secrets were stored plain.
    expect(document.targets[1].headers.Authorization).toBe('Bearer token-value');
    expect(document.targets[1].signing_secret).toBe('signing-secret-value');
  });

  it('imports an export into an empty libSQL file', async () => {
    const source = await createSourceDatabase('libsql-source.db');
    const destination = `file:${join(dataDir, 'libsql-destination.db')}`;
    const exported = runCli(['export'], source);

    const imported = runCli(['import'], destination, exported.stdout);
    const again = runCli(['export'], destination);

    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toEqual({ targets: 2, schedules: 3 });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual(JSON.parse(exported.stdout));
  });

  it.skipIf(postgres.server === null)('imports an export into an empty PostgreSQL database', async () => {
    const source = await createSourceDatabase('postgres-source.db');
    const database = await postgres.server!.createDatabase();
    try {
      const exported = runCli(['export'], source);

      const imported = runCli(['import'], database.url, exported.stdout);
      const again = runCli(['export'], database.url);

      expect(imported.stderr).toBe('');
      expect(imported.code).toBe(0);
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toEqual(JSON.parse(exported.stdout));
    } finally {
      await database.drop();
    }
  });

  it('rejects import into non-empty database', async () => {
    const source = await createSourceDatabase('non-empty.db');
    const exported = runCli(['export'], source);

    const result = runCli(['import'], source, exported.stdout);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('already has targets or schedules: import into an empty database');
  });

  it.each([
    ['a negative interval', (document: any) => (document.schedules[0].schedule_config.interval_seconds = -5), 'schedules.0.schedule_config.interval_seconds: interval_seconds must be at least 1'],
    ['an unknown time zone', (document: any) => (document.schedules[0].timezone = 'Mars/Olympus'), 'schedules.0.timezone: Unknown time zone "Mars/Olympus"'],
    ['an ftp URL', (document: any) => (document.targets[0].url = 'ftp://127.0.0.1/file'), 'targets.0.url: Unsupported URL scheme "ftp"'],
    ['an empty name', (document: any) => (document.schedules[1].name = ' '), 'schedules.1.name: Name may not be empty'],
  ])('rejects an edited export with %s', async (_case, edit, message) => {
    const source = await createSourceDatabase(`edited-${_case.replaceAll(' ', '-')}.db`);
    const document = JSON.parse(runCli(['export'], source).stdout);
    edit(document);

    const result = runCli(['import'], `file:${join(dataDir, 'edited-destination.db')}`, JSON.stringify(document));

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it.each([
    ['text that is not JSON', 'targets:', 'not JSON'],
    ['a document without schedules', '{"targets": []}', 'schedules:'],
    ['a schedule of a missing target', JSON.stringify({ targets: [], schedules: [{ id: 's', target_id: 't', name: 'n', schedule_type: 'INTERVAL', schedule_config: {}, status: 'ACTIVE', next_run_at: null, run_count: 0, last_run_at: null, timezone: 'UTC', retry_policy: DEFAULT_RETRY_POLICY, overlap_policy: 'skip', misfire_policy: 'skip', created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z' }] }), 'target t is not in the document'],
  ])('rejects %s with exit 2', (_case, input, message) => {
    const destination = `file:${join(dataDir, 'rejected.db')}`;

    const result = runCli(['import'], destination, input);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Invalid import document');
    expect(result.stderr).toContain(message);
  });
});
