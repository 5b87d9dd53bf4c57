import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { COMMANDS, EXIT_CODES } from '../src/cli-usage.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
// Child processes started at once; each is a Node.js start-up of a few hundred milliseconds.
const PARALLEL_RUNS = 4;

interface CliResult {
  args: string[];
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // No DATABASE_URL and no network: help and usage errors must not need either.
    const child = spawn(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ args, code, stdout, stderr }));
  });
}

async function runAll(argsList: string[][]): Promise<CliResult[]> {
  const results: CliResult[] = [];
  for (let start = 0; start < argsList.length; start += PARALLEL_RUNS) {
    results.push(...(await Promise.all(argsList.slice(start, start + PARALLEL_RUNS).map(runCli))));
  }
  return results;
}

const commandNames = Object.keys(COMMANDS);
const runnableNames = commandNames.filter((name) => COMMANDS[name]!.subcommands === undefined);

describe('api-scheduler help', () => {
  it('declares every documented command', () => {
    const expected = [
      'serve', 'migrate', 'copy', 'keys', 'keys create', 'keys list', 'keys revoke', 'rotate-secrets', 'export', 'import',
      'targets', 'targets list', 'targets create', 'schedules', 'schedules list', 'schedules create', 'schedules pause',
      'schedules resume', 'schedules trigger',
    ];

    expect(commandNames.sort()).toEqual(expected.sort());
  });

  it('lists the commands and exit codes', async () => {
    const [help, short] = await runAll([['--help'], ['-h']]);

    expect(help!.code).toBe(0);
    expect(help!.stderr).toBe('');
    expect(short!.stdout).toBe(help!.stdout);
    for (const name of runnableNames) expect(help!.stdout, name).toMatch(new RegExp(`^  ${name}  .+`, 'm'));
    expect(help!.stdout).toContain('Exit codes:');
    for (const [code] of EXIT_CODES) expect(help!.stdout).toMatch(new RegExp(`^  ${code}   \\S`, 'm'));
  });

  it('prints each command --help with exit 0', async () => {
    const results = await runAll(commandNames.map((name) => [...name.split(' '), '--help']));

    for (const result of results) {
      const name = result.args.slice(0, -1).join(' ');
      const usage = COMMANDS[name]!;
      expect(result.code, name).toBe(0);
      expect(result.stderr, name).toBe('');
      expect(result.stdout, name).toMatch(new RegExp(`^Usage: api-scheduler ${name}[ \\n]`));
      for (const option of Object.keys(usage.options)) expect(result.stdout, `${name} --${option}`).toContain(`--${option}`);
      for (const variable of usage.environment) expect(result.stdout, `${name} ${variable}`).toMatch(new RegExp(`^  ${variable} `, 'm'));
      for (const argument of usage.arguments ?? []) expect(result.stdout, `${name} ${argument.name}`).toMatch(new RegExp(`^  ${argument.name} `, 'm'));
      expect(result.stdout, name).toMatch(/^Examples?:\n  api-scheduler|^Examples?:\n  \S+=/m);
    }
  });

  it('shows option defaults', async () => {
    const [serve, list] = await runAll([['serve', '--help'], ['targets', 'list', '--help']]);

    expect(serve!.stdout).toMatch(/--port PORT .*\(default: 8000\)/);
    expect(serve!.stdout).toMatch(/^ {2}SCHEDULER_SHUTDOWN_GRACE_MS .*\(default: 10000\)/m);
    expect(list!.stdout).toContain('(default: http://127.0.0.1:8000)');
  });

  it('prints the same text for help COMMAND', async () => {
    const results = await runAll([
      ['help', 'keys', 'create'],
      ['keys', 'create', '--help'],
      ['help', 'serve'],
      ['serve', '-h'],
      ['help'],
      ['--help'],
    ]);

    for (let index = 0; index < results.length; index += 2) {
      expect(results[index]!.code, results[index]!.args.join(' ')).toBe(0);
      expect(results[index]!.stdout, results[index]!.args.join(' ')).toBe(results[index + 1]!.stdout);
    }
  });

  it('prints the help even where arguments are missing', async () => {
    const [pause, keys] = await runAll([['schedules', 'pause', '--help'], ['keys', '--help']]);

    expect(pause!.code).toBe(0);
    expect(pause!.stdout).toContain('Usage: api-scheduler schedules pause ID');
    expect(keys!.code).toBe(0);
    expect(keys!.stdout).toContain('keys revoke');
  });

  it('rejects an unknown option per command with exit 2', async () => {
    const results = await runAll(runnableNames.map((name) => [...name.split(' '), '--no-such-option']));

    for (const result of results) {
      const name = result.args.slice(0, -1).join(' ');
      expect(result.code, name).toBe(2);
      expect(result.stdout, name).toBe('');
      expect(result.stderr, name).toBe(`Unknown option "--no-such-option" for ${name}. Run api-scheduler ${name} --help for the usage.\n`);
    }
  });

  it.each([
    [['help', 'launch'], 'No command "launch"'],
    [['--port', '8000'], 'Missing command before "--port"'],
    [['serve', '--port'], 'Invalid options for serve'],
    [['migrate', '--insecure'], 'Unknown option "--insecure" for migrate'],
    [['targets', 'list', '--data', '{}'], 'Unknown option "--data" for targets list'],
  ])('%j exits 2 with one line', async (args, message) => {
    const [result] = await runAll([args]);

    expect(result!.code).toBe(2);
    expect(result!.stderr).toContain(message);
    expect(result!.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
