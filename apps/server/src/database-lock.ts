import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Another live process holds the lock of the database file. The code is
 * the system's "resource busy", so the CLI prints the message alone.
 */
export class DatabaseInUseError extends Error {
  readonly code = 'EBUSY';

  constructor(
    readonly path: string,
    readonly pid: number,
  ) {
    super(
      `Another API Scheduler process (PID ${pid}) fires schedules from ${path}. Stop it first: after SIGTERM it can take up to SCHEDULER_SHUTDOWN_GRACE_MS to finish the requests in flight. ` +
        `Or set DATABASE_URL to another file. Delete ${path}.lock only if process ${pid} is not an API Scheduler.`,
    );
    this.name = 'DatabaseInUseError';
  }
}

/** Tells whether a process with this id exists: signal 0 checks without sending anything. */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock of a libSQL database file for this process's engine: the
 * file PATH.lock holding the process id. Only one engine may use a file,
 * because at start it records every run left RUNNING as INTERRUPTED, which
 * is right only when no other process is firing from that file. A lock left
 * by a process that no longer exists is taken over. Returns the function
 * that releases the lock; throws DatabaseInUseError while another process
 * holds it.
 */
export function lockDatabaseFile(path: string, options: { pid?: number; exists?: (pid: number) => boolean } = {}): () => void {
  const pid = options.pid ?? process.pid;
  const exists = options.exists ?? processExists;
  const lockPath = `${path}.lock`;
  // The lock comes before the database, which creates its folder on a first start.
  mkdirSync(dirname(path), { recursive: true });

  for (let tries = 1; ; tries += 1) {
    try {
      const descriptor = openSync(lockPath, 'wx');
      writeSync(descriptor, `${pid}\n`);
      closeSync(descriptor);
      return () => releaseLock(lockPath, pid);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || tries > 1) throw error;
    }

    const holder = readHolder(lockPath);
    if (holder !== null && holder !== pid && exists(holder)) throw new DatabaseInUseError(path, holder);
    // A stale lock (its process is gone, or the file is unreadable): remove it and try once more.
    unlinkSync(lockPath);
  }
}

function readHolder(lockPath: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Removes the lock file if this process still holds it. */
function releaseLock(lockPath: string, pid: number): void {
  if (readHolder(lockPath) !== pid) return;
  try {
    unlinkSync(lockPath);
  } catch {
    // Already gone: nothing to release.
  }
}
