import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { apiKeyMatches } from '@api-scheduler/core';
import { createStore } from '@api-scheduler/db';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'cli-keys-test-'));
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

const databaseUrl = () => `file:${join(dataDir, 'db.sqlite')}`;

function runCli(args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], {
    // LOG_LEVEL info, so the migration log line shows whether it stays off standard output.
    env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl(), LOG_LEVEL: 'info' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function keyIn(stdout: string): string {
  const match = /^(sk_[0-9a-f]{12}_[A-Za-z0-9_-]{43})$/m.exec(stdout);
  if (!match) throw new Error(`no key in the output:\n${stdout}`);
  return match[1]!;
}

describe('api-scheduler keys', () => {
  it('create prints the key once with usage', () => {
    const result = runCli(['keys', 'create', '--name', 'ci', '--scope', 'write']);

    expect(result.code).toBe(0);
    const key = keyIn(result.stdout);
    expect(result.stdout).toContain(`Authorization: Bearer ${key}`);
    expect(result.stdout).toContain('shown only this once');
    expect(result.stdout).toContain('scope write');
    // Log lines (such as the migrations applied) go to standard error.
    expect(result.stdout).not.toContain('"level"');
  });

  it('stores only the hash of the key', async () => {
    const key = keyIn(runCli(['keys', 'create', '--name', 'ci', '--scope', 'read']).stdout);

    const store = await createStore({ url: databaseUrl() });
    try {
      const [listed] = await store.listApiKeys();
      const stored = await store.findApiKeyByPrefix(listed!.prefix);
      // The secret part follows "sk_", 12 hex characters and "_"; it may itself contain "_".
      expect(stored!.hash).not.toContain(key.slice('sk_'.length + 12 + 1));
      expect(apiKeyMatches(key, stored!.hash)).toBe(true);
      expect(stored!.scope).toBe('read');
    } finally {
      await store.close();
    }
  });

  it('list shows keys without secrets', () => {
    const key = keyIn(runCli(['keys', 'create', '--name', 'deploy bot', '--scope', 'admin']).stdout);

    const result = runCli(['keys', 'list']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ID\s+NAME\s+PREFIX\s+SCOPE\s+CREATED\s+LAST USED\s+REVOKED$/m);
    expect(result.stdout).toContain('deploy bot');
    expect(result.stdout).toContain(`${key.slice(0, 15)}_…`);
    expect(result.stdout).not.toContain(key.slice(16));
  });

  it('list says how to create the first key', () => {
    const result = runCli(['keys', 'list']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No API keys. Create one with: api-scheduler keys create');
  });

  it('revoke marks the key revoked', () => {
    runCli(['keys', 'create', '--name', 'old', '--scope', 'read']);
    const id = /^([0-9a-f-]{36})\s+old/m.exec(runCli(['keys', 'list']).stdout)![1]!;

    const first = runCli(['keys', 'revoke', id]);
    const second = runCli(['keys', 'revoke', id]);
    const listed = runCli(['keys', 'list']).stdout;

    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Revoked API key ${id}`);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('was already revoked');
    expect(listed).toMatch(new RegExp(`${id}.*\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\s*$`, 'm'));
  });

  it('revoke of an unknown id exits 1', () => {
    const result = runCli(['keys', 'revoke', '01000000-0000-7000-8000-000000000000']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('API key 01000000-0000-7000-8000-000000000000 was not found');
  });

  it.each([
    [['keys'], 'keys needs one of create, list, revoke'],
    [['keys', 'rotate'], 'keys needs one of create, list, revoke (got "rotate")'],
    [['keys', 'create', '--scope', 'read'], 'keys create needs --name NAME'],
    [['keys', 'create', '--name', 'ci'], 'keys create needs --scope'],
    [['keys', 'create', '--name', 'ci', '--scope', 'root'], '--scope must be one of read, write, admin (got "root")'],
    [['keys', 'revoke'], 'keys revoke needs the ID'],
    [['keys', 'list', 'extra'], 'Unexpected argument "extra"'],
  ])('%j exits 2 with usage', (args, message) => {
    const result = runCli(args);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).not.toMatch(/sk_/);
  });

  it('help lists the keys commands', () => {
    const overview = runCli(['--help']);
    const create = runCli(['keys', 'create', '--help']);

    expect(overview.stdout).toContain('keys create');
    expect(overview.stdout).toContain('keys revoke');
    expect(create.stdout).toContain('Usage: api-scheduler keys create --name NAME --scope read|write|admin');
  });
});
