import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { parseCommandLine } from '../src/cli-arguments.js';
import { COMMANDS, EXIT_CODES, EXIT_SUCCESS, EXIT_USAGE } from '../src/cli-usage.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

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

/**
 * Returns the help text of `args` as parsed in this process. The CLI prints
 * a help result on standard output with exit 0 and a usage error on
 * standard error with exit 2, which the "help process" tests below check.
 */
function helpText(args: string[]): string {
  const commandLine = parseCommandLine(args);
  if (commandLine.kind !== 'help') throw new Error(`${args.join(' ')} parsed as ${JSON.stringify(commandLine)}, not as help`);
  return commandLine.text;
}

function usageError(args: string[]): string {
  const commandLine = parseCommandLine(args);
  if (commandLine.kind !== 'invalid') throw new Error(`${args.join(' ')} parsed as ${JSON.stringify(commandLine)}, not as a usage error`);
  return commandLine.message;
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

  it('lists the commands and exit codes', () => {
    const help = helpText(['--help']);

    expect(helpText(['-h'])).toBe(help);
    for (const name of runnableNames) expect(help, name).toMatch(new RegExp(`^  ${name}  .+`, 'm'));
    expect(help).toContain('Exit codes:');
    for (const [code] of EXIT_CODES) expect(help).toMatch(new RegExp(`^  ${code}   \\S`, 'm'));
  });

  it.each(commandNames)('prints %s --help', (name) => {
    const help = helpText([...name.split(' '), '--help']);
    const usage = COMMANDS[name]!;

    expect(help).toMatch(new RegExp(`^Usage: api-scheduler ${name}[ \\n]`));
    for (const option of Object.keys(usage.options)) expect(help, `--${option}`).toContain(`--${option}`);
    for (const variable of usage.environment) expect(help, variable).toMatch(new RegExp(`^  ${variable} `, 'm'));
    for (const argument of usage.arguments ?? []) expect(help, argument.name).toMatch(new RegExp(`^  ${argument.name} `, 'm'));
    expect(help).toMatch(/^Examples?:\n  api-scheduler|^Examples?:\n  \S+=/m);
  });

  it('shows option defaults', () => {
    const serve = helpText(['serve', '--help']);
    const list = helpText(['targets', 'list', '--help']);

    expect(serve).toMatch(/--port PORT .*\(default: 8000\)/);
    expect(serve).toMatch(/^ {2}SCHEDULER_SHUTDOWN_GRACE_MS .*\(default: 10000\)/m);
    expect(list).toContain('(default: http://127.0.0.1:8000)');
  });

  it.each([
    [['help', 'keys', 'create'], ['keys', 'create', '--help']],
    [['help', 'serve'], ['serve', '-h']],
    [['help'], ['--help']],
  ])('prints the same text for %j and %j', (helpCommand, helpOption) => {
    expect(helpText(helpCommand)).toBe(helpText(helpOption));
  });

  it('prints the help even where arguments are missing', () => {
    expect(helpText(['schedules', 'pause', '--help'])).toContain('Usage: api-scheduler schedules pause ID');
    expect(helpText(['keys', '--help'])).toContain('keys revoke');
  });

  it.each(runnableNames)('rejects an unknown option for %s', (name) => {
    const message = usageError([...name.split(' '), '--no-such-option']);

    expect(message).toBe(`Unknown option "--no-such-option" for ${name}. Run api-scheduler ${name} --help for the usage.`);
  });

  it.each([
    [['help', 'launch'], 'No command "launch"'],
    [['--port', '8000'], 'Missing command before "--port"'],
    [['serve', '--port'], 'Invalid options for serve'],
    [['migrate', '--insecure'], 'Unknown option "--insecure" for migrate'],
    [['targets', 'list', '--data', '{}'], 'Unknown option "--data" for targets list'],
  ])('%j is a one-line usage error', (args, expected) => {
    const message = usageError(args);

    expect(message).toContain(expected);
    expect(message).not.toContain('\n');
  });
});

// These start the built CLI to check that it prints what parseCommandLine
// returns, on the right stream and with the right exit code.
describe('api-scheduler help process', () => {
  it('prints the overview with exit 0', async () => {
    const [help, short] = await Promise.all([runCli(['--help']), runCli(['-h'])]);

    expect(help.code).toBe(EXIT_SUCCESS);
    expect(help.stderr).toBe('');
    expect(help.stdout).toBe(helpText(['--help']));
    expect(short.code).toBe(EXIT_SUCCESS);
    expect(short.stdout).toBe(help.stdout);
  });

  it('prints command help and help COMMAND with exit 0', async () => {
    const [option, command] = await Promise.all([runCli(['keys', 'create', '--help']), runCli(['help', 'keys', 'create'])]);

    for (const result of [option, command]) {
      expect(result.code, result.args.join(' ')).toBe(EXIT_SUCCESS);
      expect(result.stderr, result.args.join(' ')).toBe('');
      expect(result.stdout, result.args.join(' ')).toBe(helpText(['keys', 'create', '--help']));
    }
  });

  it('rejects an unknown option with exit 2', async () => {
    const result = await runCli(['targets', 'list', '--no-such-option']);

    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('Unknown option "--no-such-option" for targets list. Run api-scheduler targets list --help for the usage.\n');
  });
});
