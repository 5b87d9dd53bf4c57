import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../apps/server/dist/cli.js', import.meta.url));
const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 30_000;

/**
 * Starts the built server (`node apps/server/dist/cli.js serve`) on
 * 127.0.0.1 with PORT=0 and a fresh libSQL file in a temporary directory,
 * and resolves once it logs "API Scheduler is listening". `env` adds or
 * overrides environment variables, `nodeArgs` go before the script (for
 * example --cpu-prof). Requires a build (node scripts/run.mjs build).
 *
 * The returned `logs` counts the log lines and keeps the first ten warnings
 * and errors. `stop()` sends SIGTERM, waits for the exit, and
 * removes the temporary directory.
 */
export async function startServer({ env = {}, nodeArgs = [] } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-server-'));
  const child = spawn(process.execPath, [...nodeArgs, cli, 'serve'], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: `file:${join(dataDir, 'scheduler.db')}`,
      LOG_LEVEL: 'info',
      LOG_PRETTY: 'false',
      // Benchmark targets listen on 127.0.0.1, which the address guard denies by default.
      SCHEDULER_ALLOW_PRIVATE_TARGETS: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  // A benchmark that crashes must not leave the server running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  exited.then(() => process.off('exit', killOnExit));

  const logs = { lines: 0, problems: [], stderr: '' };
  child.stderr.on('data', (chunk) => {
    if (logs.stderr.length < 4_000) logs.stderr += chunk;
  });

  // Every run finished is an info line, thousands a second under load, so
  // only the lines of warnings and errors (pino levels 40, 50, 60) are parsed.
  let resolveUrl;
  const listening = new Promise((resolve) => {
    resolveUrl = resolve;
  });
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop();
    logs.lines += lines.length;
    for (const line of lines) {
      const listeningLine = line.includes('"API Scheduler is listening"');
      if (!listeningLine && !/"level":[456]0/.test(line)) continue;
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        continue;
      }
      if (listeningLine) resolveUrl(entry.url);
      else if (logs.problems.length < 10) logs.problems.push({ level: entry.level, msg: entry.msg, err: entry.err?.message });
    }
  });

  let timer;
  const url = await Promise.race([
    listening,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`server did not log "API Scheduler is listening" within ${STARTUP_TIMEOUT_MS} ms`)), STARTUP_TIMEOUT_MS);
    }),
    exited.then(({ code }) => {
      throw new Error(`server exited with code ${code} before listening: ${logs.stderr.slice(0, 500)}`);
    }),
  ])
    .catch(async (error) => {
      child.kill('SIGKILL');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    })
    .finally(() => clearTimeout(timer));

  return {
    url,
    pid: child.pid,
    logs,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const result = await exited;
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
      return result;
    },
  };
}
