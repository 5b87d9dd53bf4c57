// CPU time of this process's main thread (the event loop), read from
// /proc on Linux. With the libSQL store's worker thread and V8's helper
// threads, process.cpuUsage() alone cannot tell whether the event loop was
// the busy part. Returns null where /proc is missing.
import { readFileSync } from 'node:fs';

// Clock ticks per second of utime and stime in /proc/.../stat (USER_HZ, which is 100 on Linux).
const CLOCK_TICKS_PER_S = 100;

/** Returns the CPU time (user + system) of this process's main thread, in ms, or null. */
export function mainThreadCpuMs() {
  try {
    const text = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // The command name may contain spaces, so split after its closing bracket; utime and stime are then at 11 and 12.
    const fields = text.slice(text.lastIndexOf(') ') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1_000) / CLOCK_TICKS_PER_S;
  } catch {
    return null;
  }
}

/** Starts measuring CPU time; `stop()` returns the process's and the main thread's, in ms (the latter null without /proc). */
export function measureCpu() {
  const process0 = process.cpuUsage();
  const main0 = mainThreadCpuMs();
  return {
    stop() {
      const used = process.cpuUsage(process0);
      const main1 = mainThreadCpuMs();
      return {
        process_ms: (used.user + used.system) / 1_000,
        main_thread_ms: main0 === null || main1 === null ? null : main1 - main0,
      };
    },
  };
}
