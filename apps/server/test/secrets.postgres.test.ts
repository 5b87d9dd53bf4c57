import { randomBytes } from 'node:crypto';

import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { probePostgresTestServer } from '@api-scheduler/db/testing';
import type { TestDatabase } from '@api-scheduler/db/testing';

import { ServerProcess, waitFor } from './support/server-process.js';
import { TargetServer } from './support/target-server.js';

const postgres = await probePostgresTestServer();

const AUTHORIZATION = 'Bearer pg-secret-token-93be1f';
const SIGNING_SECRET = 'pg-signing-secret-0123456789abcdef';

describe.skipIf(postgres.server === null)('secrets at rest on PostgreSQL', () => {
  let database: TestDatabase | null = null;
  let server: ServerProcess | null = null;
  let target: TargetServer;

  beforeAll(async () => {
    target = await new TargetServer().start();
  });

  afterAll(async () => {
    await target?.stop();
  });

  afterEach(async () => {
    await server?.dispose();
    await database?.drop();
  });

  it('stores only ciphertext and still sends the real value', async () => {
    database = await postgres.server!.createDatabase();
    server = new ServerProcess({ DATABASE_URL: database.url, SCHEDULER_SECRET_KEY: randomBytes(32).toString('base64') });
    await server.start();

    const created = await server.request('POST', '/targets/', {
      url: `${target.url}/pg-secret`,
      headers: { Authorization: AUTHORIZATION },
      signing_secret: SIGNING_SECRET,
    });
    expect(created.status).toBe(201);
    const schedule = await server.request('POST', '/schedules/', { target_id: created.body.id, schedule_type: 'ONCE', schedule_config: { run_at: 'now' } });
    expect(schedule.status).toBe(201);
    await waitFor(async () => target.requestsTo('/pg-secret').length > 0, 10_000, 'the request to the target');

    expect(target.requestsTo('/pg-secret')[0]!.headers['authorization']).toBe(AUTHORIZATION);

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const targets = await client.query<{ headers: string; signing_secret: string }>('SELECT headers::text AS headers, signing_secret FROM targets');
      const runs = await client.query<{ request: string }>('SELECT request::text AS request FROM runs');
      const raw = JSON.stringify([targets.rows, runs.rows]);

      expect(targets.rows[0]!.headers).toContain('enc:v1:');
      expect(targets.rows[0]!.signing_secret).toMatch(/^enc:v1:/);
      expect(raw).not.toContain(AUTHORIZATION);
      expect(raw).not.toContain(SIGNING_SECRET);
    } finally {
      await client.end();
    }
  });
});
