import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { ServerProcess } from '../../../../apps/server/test/support/server-process.js';

const cliPath = fileURLToPath(new URL('../../../../apps/server/dist/cli.js', import.meta.url));

export interface ServerWithKeys {
  server: ServerProcess;
  /** The tRPC endpoint, such as http://127.0.0.1:PORT/trpc. */
  trpcUrl: string;
  readKey: string;
  writeKey: string;
}

function runCli(server: ServerProcess, args: string[]): string {
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    env: { PATH: process.env.PATH, DATABASE_URL: server.databaseUrl, LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (result.status !== 0) throw new Error(`api-scheduler ${args.join(' ')} failed with exit code ${result.status}: ${result.stderr}`);
  return result.stdout;
}

function createKey(server: ServerProcess, scope: 'read' | 'write'): string {
  const stdout = runCli(server, ['keys', 'create', '--name', `client test ${scope}`, '--scope', scope]);
  const key = stdout.split('\n').find((line) => line.startsWith('sk_'));
  if (key === undefined) throw new Error(`keys create printed no key: ${stdout}`);
  return key;
}

/**
 * Starts the built server on 127.0.0.1 with its own database, in which a
 * read key and a write key exist before the first request, so every
 * request must authenticate.
 */
export async function startServerWithKeys(): Promise<ServerWithKeys> {
  const server = new ServerProcess();
  runCli(server, ['migrate']);
  const readKey = createKey(server, 'read');
  const writeKey = createKey(server, 'write');
  await server.start();
  return { server, trpcUrl: `${server.url}/trpc`, readKey, writeKey };
}
