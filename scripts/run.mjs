#!/usr/bin/env node
// Entry point of the root npm scripts. It makes `npm start` and `npm test`
// work on a fresh clone: it finds pnpm (or runs the pinned one through npx),
// installs the workspace, builds it, and then runs the requested command.
import { spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pnpmVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) {
    process.stderr.write(`Failed to run ${command}: ${result.error.message}\n`);
    process.exit(1);
  }
  return result.status ?? 1;
}

// The long-running step (the server, the CLI) runs as an asynchronous child
// so this process can pass on the signals it receives: a SIGTERM sent to
// `npm start` must stop the server, not leave it running without a parent.
function runForeground(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, forward);

  // npm 11 exits on SIGTERM without passing it to its script, so this
  // process would be left behind with the server. When the parent goes
  // away, the process is re-parented: then stop the server as on SIGTERM.
  const parent = process.ppid;
  // Once is enough: the server is stopping, and a signal each tick would only log again.
  const parentWatch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(parentWatch);
    forward('SIGTERM');
  }, 500);
  parentWatch.unref();

  child.on('error', (error) => {
    process.stderr.write(`Failed to run ${command}: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    clearInterval(parentWatch);
    for (const name of signals) process.off(name, forward);
    process.exit(code ?? 128 + (constants.signals[signal] ?? 1));
  });
}

function runOrExit(command, args, options) {
  const status = run(command, args, options);
  if (status !== 0) process.exit(status);
}

// A pnpm on PATH is used only when it is the pinned version: pnpm 11 does not
// run on Node.js 20, and a different major may rewrite the lockfile.
function pnpmCommand() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (probe.status === 0 && probe.stdout.trim() === pnpmVersion) return ['pnpm', []];
  return ['npx', ['--yes', `pnpm@${pnpmVersion}`]];
}

const [pnpm, pnpmPrefix] = pnpmCommand();
const pnpmRun = (args, options) => runOrExit(pnpm, [...pnpmPrefix, ...args], options);

function install() {
  const frozen = existsSync(join(root, 'pnpm-lock.yaml')) ? ['--frozen-lockfile'] : [];
  pnpmRun(['install', '--prefer-offline', ...frozen]);
}

function build() {
  pnpmRun(['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']);
}

const [command = 'start', ...rest] = process.argv.slice(2);
const cli = join(root, 'apps/server/dist/cli.js');

switch (command) {
  case 'start':
    install();
    build();
    runForeground(process.execPath, [cli, 'serve', ...rest]);
    break;
  case 'build':
    install();
    build();
    break;
  case 'test':
    install();
    build();
    runOrExit(pnpm, [...pnpmPrefix, 'exec', 'vitest', 'run', ...rest]);
    break;
  case 'cli':
    if (!existsSync(cli)) {
      install();
      build();
    }
    runForeground(process.execPath, [cli, ...rest]);
    break;
  case 'dev':
    install();
    pnpmRun(['exec', 'turbo', 'run', 'dev', ...rest]);
    break;
  case 'bench':
    install();
    build();
    runOrExit(process.execPath, [join(root, 'bench/run.mjs'), ...rest]);
    break;
  case 'lint':
    install();
    pnpmRun(['exec', 'turbo', 'run', 'typecheck', ...rest]);
    break;
  default:
    process.stderr.write(`Unknown command "${command}". Use start, test, build, cli, dev, bench or lint.\n`);
    process.exit(2);
}
