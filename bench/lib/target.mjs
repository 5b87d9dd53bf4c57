import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./target-server.mjs', import.meta.url));

/**
 * Starts the load target in its own process on 127.0.0.1 and returns its URL
 * and controls. With `recordKeys`, the target counts every Idempotency-Key,
 * and `keys()` returns those counts as {KEY: count}.
 */
export async function startTarget({ recordKeys = false } = {}) {
  const child = spawn(process.execPath, [script, ...(recordKeys ? ['--record-keys'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve(Number(line.split(' ')[1])));
    child.once('exit', (code) => reject(new Error(`load target exited with code ${code}`)));
  });
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    pid: child.pid,
    async stats() {
      return (await fetch(`${url}/__stats`)).json();
    },
    async keys() {
      return (await fetch(`${url}/__keys`)).json();
    },
    async resetKeys() {
      await fetch(`${url}/__keys/reset`, { method: 'POST' });
    },
    async reset() {
      await fetch(`${url}/__reset`, { method: 'POST' });
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
