import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TargetServer } from '../../../apps/server/test/support/target-server.js';
import { startServerWithKeys } from './support/server-with-keys.js';
import type { ServerWithKeys } from './support/server-with-keys.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const rootPackage = JSON.parse(readFileSync(join(packageDir, '../../package.json'), 'utf8')) as { packageManager: string };
const pnpmVersion = rootPackage.packageManager.split('@')[1]!;
const catalogVersion = (name: string): string => {
  const workspace = readFileSync(join(packageDir, '../../pnpm-workspace.yaml'), 'utf8');
  const match = new RegExp(`^\\s+"?${name.replace('/', '\\/')}"?: (\\S+)$`, 'm').exec(workspace);
  if (match === null) throw new Error(`pnpm-workspace.yaml has no catalog version of ${name}`);
  return match[1]!;
};

interface Result {
  code: number | null;
  output: string;
}

/** Runs a command without blocking the event loop, which reads the server's log lines meanwhile. */
function run(command: string, args: string[], cwd: string, timeoutMs: number, env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** Returns the pinned pnpm: the one on PATH when it is that version, or else through npx, as scripts/run.mjs does. */
async function pnpm(): Promise<[string, string[]]> {
  const probe = await run('pnpm', ['--version'], packageDir, 10_000).catch(() => null);
  if (probe?.code === 0 && probe.output.trim() === pnpmVersion) return ['pnpm', []];
  return ['npx', ['--yes', `pnpm@${pnpmVersion}`]];
}

// A file of the consumer project. Each @ts-expect-error must meet a type
// error: were the client's types to degrade to `any`, tsc would report the
// directive as unused and fail.
const consumerCheck = `import { SchedulerClientError, createSchedulerClient, createTargetAndSchedule, iterateRuns, waitForNextRun } from '@api-scheduler/client';
import type { Run } from '@api-scheduler/client';

const client = createSchedulerClient({ url: 'http://127.0.0.1:8000/trpc', apiKey: 'sk_example' });

export async function useClient(): Promise<void> {
  const target = await client.targets.create.mutate({ url: 'http://127.0.0.1:9000/hook', method: 'POST' });
  const targetId: string = target.id;
  // @ts-expect-error timeout_ms is a number of milliseconds
  await client.targets.create.mutate({ url: 'http://127.0.0.1:9000/hook', timeout_ms: 'fast' });
  // @ts-expect-error there is no procedure targets.rename
  await client.targets.rename.mutate({ id: targetId });

  const page = await client.runs.list.query({ limit: 10 });
  const first: Run | undefined = page.items[0];
  // @ts-expect-error a run's status is a string such as "SUCCESS"
  const status: number | undefined = first?.status;

  const { schedule } = await createTargetAndSchedule(client, {
    target: { url: 'http://127.0.0.1:9000/hook' },
    schedule: { schedule_type: 'CRON', schedule_config: { expression: '0 3 * * *' } },
  });
  const run = await waitForNextRun(client, schedule.id, { trigger: true, timeoutMs: 5_000 });
  const finishedAt: Date | null = run.finished_at;
  for await (const item of iterateRuns(client, { schedule_id: schedule.id })) console.log(item.id, status, finishedAt);

  try {
    await client.schedules.get.query({ id: 'missing' });
  } catch (error) {
    if (error instanceof SchedulerClientError && error.code === 'NOT_FOUND') console.log(error.status, error.fieldErrors);
  }
}
`;

// A script of the consumer project, run with plain Node.js against the test server.
const consumerScript = `import { createSchedulerClient, createTargetAndSchedule, isSchedulerClientError, waitForNextRun } from '@api-scheduler/client';

const client = createSchedulerClient({ url: process.env.SCHEDULER_TRPC_URL, apiKey: process.env.SCHEDULER_API_KEY });
const { schedule } = await createTargetAndSchedule(client, {
  target: { url: process.env.TARGET_URL, method: 'GET' },
  schedule: { schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 3600 } },
});
const run = await waitForNextRun(client, schedule.id, { trigger: true, timeoutMs: 10_000 });
const missing = await client.schedules.get.query({ id: 'missing' }).catch((error) => error);
console.log(JSON.stringify({ status: run.status, finishedAtIsDate: run.finished_at instanceof Date, notFound: isSchedulerClientError(missing, 'NOT_FOUND') }));
`;

/**
 * Returns the TypeScript blocks of the README's "TypeScript client"
 * section as one module, with the server and target addresses of this
 * test in place of the README's.
 */
function readmeSnippets(trpcUrl: string, targetUrl: string): string {
  const readme = readFileSync(join(packageDir, '../../README.md'), 'utf8');
  const start = readme.indexOf('\n## TypeScript client\n');
  if (start === -1) throw new Error('README.md has no "## TypeScript client" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);

  const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
  if (blocks.length === 0) throw new Error('the "TypeScript client" section of README.md has no ts code block');
  return blocks.join('\n').replaceAll('http://127.0.0.1:8000/trpc', trpcUrl).replaceAll('http://127.0.0.1:9000/ping', targetUrl);
}

let folder = '';
let setup: ServerWithKeys;
let target: TargetServer;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'api-scheduler-client-package-'));
  target = await new TargetServer().start();
  setup = await startServerWithKeys();
});

afterAll(async () => {
  await setup?.server.dispose();
  await target?.stop();
  if (folder !== '') rmSync(folder, { recursive: true, force: true });
});

describe('published package', () => {
  it('installs, type-checks and runs outside the workspace', async () => {
    if (!existsSync(join(packageDir, 'dist/index.d.ts'))) throw new Error(`${packageDir}dist is missing: build the workspace first (npm test builds it)`);
    const [pnpmCommand, pnpmPrefix] = await pnpm();

    const packed = await run(pnpmCommand, [...pnpmPrefix, 'pack', '--pack-destination', folder], packageDir, 30_000);
    expect(packed.code, `pnpm pack failed:\n${packed.output}`).toBe(0);
    const tarball = readdirSync(folder).find((name) => name.endsWith('.tgz'));
    expect(tarball, `pnpm pack wrote no .tgz into ${folder}`).toBeDefined();

    const project = join(folder, 'consumer');
    const manifest = {
      name: 'client-consumer',
      private: true,
      type: 'module',
      dependencies: { '@api-scheduler/client': `file:../${tarball}` },
      devDependencies: { typescript: catalogVersion('typescript'), '@types/node': catalogVersion('@types/node') },
    };
    const tsconfig = {
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, outDir: 'out', skipLibCheck: false, types: ['node'] },
      include: ['check.ts', 'readme.ts'],
    };
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    writeFileSync(join(project, 'check.ts'), consumerCheck);
    writeFileSync(join(project, 'use-client.mjs'), consumerScript);
    writeFileSync(join(project, 'readme.ts'), readmeSnippets(setup.trpcUrl, `${target.url}/from-readme`));

    // The packages are in the pnpm store after the workspace's own install, so this needs no network.
    const installed = await run(pnpmCommand, [...pnpmPrefix, 'install', '--prefer-offline', '--no-frozen-lockfile'], project, 45_000);
    expect(installed.code, `pnpm install in ${project} failed:\n${installed.output}`).toBe(0);

    const declarationsDir = join(project, 'node_modules/@api-scheduler/client/dist');
    const declarationFiles = readdirSync(declarationsDir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.d.ts'));
    const workspaceImports = declarationFiles.filter((name) => readFileSync(join(declarationsDir, name), 'utf8').includes('@api-scheduler/'));
    expect(declarationFiles.length).toBeGreaterThan(0);
    expect(workspaceImports, 'these declaration files import unpublished workspace packages').toEqual([]);

    const typescript = join(project, 'node_modules/typescript/bin/tsc');
    const checked = await run(process.execPath, [typescript, '-p', 'tsconfig.json'], project, 45_000);
    expect(checked.code, `tsc in the consumer project failed, so the published types are broken, have lost precision, or no longer match the README:\n${checked.output}`).toBe(0);

    const script = await run(process.execPath, ['use-client.mjs'], project, 30_000, {
      SCHEDULER_TRPC_URL: setup.trpcUrl,
      SCHEDULER_API_KEY: setup.writeKey,
      TARGET_URL: `${target.url}/from-package`,
    });
    expect(script.code, `use-client.mjs failed:\n${script.output}`).toBe(0);
    expect(JSON.parse(script.output.trim())).toEqual({ status: 'SUCCESS', finishedAtIsDate: true, notFound: true });
    expect(target.requestsTo('/from-package')).toHaveLength(1);

    const readme = await run(process.execPath, ['out/readme.js'], project, 30_000, { SCHEDULER_API_KEY: setup.writeKey });
    expect(readme.code, `the README's snippets failed against the test server:\n${readme.output}`).toBe(0);
    expect(readme.output).toContain('SUCCESS 200');
    expect(readme.output).toContain("target_id: [ 'Target missing was not found' ]");
    expect(readme.output).toContain("'schedule_config.interval_seconds': [ 'interval_seconds must be at least 1' ]");
    expect(target.requestsTo('/from-readme')).toHaveLength(1);
  });
});
