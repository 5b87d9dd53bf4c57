import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const cliPath = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/**
 * The real server (the built apps/server CLI) in a child process, with its
 * own libSQL file in a temporary folder and a port picked by the OS.
 */
export class ServerProcess {
  readonly dataDir: string;
  readonly logs: LogLine[] = [];
  /** Every line the process wrote to standard output, JSON or not, in order. */
  readonly stdoutLines: string[] = [];
  url = '';
  /** Unix milliseconds when the server logged that it listens. */
  listeningAt = 0;
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);

  constructor(private readonly extraEnv: Record<string, string> = {}) {
    if (!existsSync(cliPath)) {
      throw new Error(`${cliPath} is missing: build the workspace first (npm test builds it)`);
    }
    this.dataDir = mkdtempSync(join(tmpdir(), 'api-scheduler-test-'));
  }

  get databaseUrl(): string {
    return `file:${join(this.dataDir, 'scheduler.db')}`;
  }

  /**
   * Starts the process and resolves once it listens; the same data folder
   * survives restarts. `env` adds to or replaces the constructor's variables
   * for this start only.
   */
  async start(env: Record<string, string> = {}): Promise<void> {
    const child = spawn(process.execPath, [cliPath, 'serve'], {
      env: {
        PATH: process.env.PATH,
        HOST: '127.0.0.1',
        PORT: '0',
        DATABASE_URL: this.databaseUrl,
        LOG_LEVEL: 'info',
        // Test targets listen on 127.0.0.1, which the address guard denies by default.
        SCHEDULER_ALLOW_PRIVATE_TARGETS: 'true',
        ...this.extraEnv,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));

    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });

    await new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (text) => {
        this.stdoutLines.push(text);
        let line: LogLine;
        try {
          line = JSON.parse(text) as LogLine;
        } catch {
          return;
        }
        this.logs.push(line);
        if (line.msg === 'API Scheduler is listening') {
          this.url = String(line.url);
          this.listeningAt = Date.now();
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`server exited with code ${code} before listening:\n${stderr}`)));
    });
  }

  /** Sends a signal and waits for the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null) return this.child?.exitCode ?? null;
    this.child.kill(signal);
    const code = await this.exited;
    this.child = null;
    return code;
  }

  async dispose(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Lists the runs of a schedule through GET /runs/, newest first. */
  async runsOf(scheduleId: string): Promise<any[]> {
    const response = await this.request('GET', `/runs/?schedule_id=${scheduleId}&limit=1000`);
    if (response.status !== 200) throw new Error(`GET /runs/ returned ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body as any[];
  }

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 50 ms until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined | null | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}
