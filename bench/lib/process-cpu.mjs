// CPU time of other processes (the server, the load target), read from
// /proc on Linux, so a benchmark can report which process was busy. Every
// function returns null where /proc is missing.
import { readdirSync, readFileSync } from 'node:fs';

// Clock ticks per second of utime and stime in /proc/PID/stat (USER_HZ,
// which is 100 on Linux).
const CLOCK_TICKS_PER_S = 100;

/** Returns the fields of /proc/PID/stat from field 3 (state) on, or null. */
function statFields(pid) {
  try {
    // The command name in field 2 may contain spaces, so split after its closing bracket.
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(') ') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Returns the CPU time (user + system) that process `pid` has used, in ms, or null. */
export function processCpuMs(pid) {
  const fields = statFields(pid);
  if (fields === null) return null;
  // utime and stime are fields 14 and 15, so indexes 11 and 12 here.
  return ((Number(fields[11]) + Number(fields[12])) * 1_000) / CLOCK_TICKS_PER_S;
}

/** Returns the pid of a child of this process whose command line contains `text`, or null. */
export function findChildPid(text) {
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    // The parent pid is field 4, index 1 here.
    if (fields === null || Number(fields[1]) !== process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) return Number(entry);
    } catch {
      // The process ended between the two reads.
    }
  }
  return null;
}

/** Starts measuring the CPU use of process `pid`. `stop()` returns the share of one core it used since, in percent, or null. */
export function measureProcessCpu(pid) {
  const startMs = processCpuMs(pid);
  const startedAt = performance.now();
  return {
    stop() {
      const endMs = processCpuMs(pid);
      if (startMs === null || endMs === null) return null;
      return Math.round(((endMs - startMs) / (performance.now() - startedAt)) * 1_000) / 10;
    },
  };
}

/**
 * Starts measuring the CPU use of every process whose command name is
 * `command` (for example postgres, whose server forks one process per
 * connection). `stop()` returns their share of one core in percent, or
 * null without /proc. A process that exits before `stop()` is not counted.
 * The backends that serve other clients of the same server are counted too.
 */
export function measureCommandCpu(command) {
  const startMs = commandCpuMs(command);
  const startedAt = performance.now();
  return {
    stop() {
      const endMs = commandCpuMs(command);
      if (startMs === null || endMs === null) return null;
      let usedMs = 0;
      for (const [pid, ms] of endMs) usedMs += ms - (startMs.get(pid) ?? 0);
      return Math.round((usedMs / (performance.now() - startedAt)) * 1_000) / 10;
    },
  };
}

/** Returns a Map of pid to CPU time (ms) of the processes whose command name is `command`, or null. */
function commandCpuMs(command) {
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  const usage = new Map();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let text;
    try {
      text = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const name = text.slice(text.indexOf('(') + 1, text.lastIndexOf(') '));
    if (name !== command) continue;
    const fields = text.slice(text.lastIndexOf(') ') + 2).split(' ');
    usage.set(entry, ((Number(fields[11]) + Number(fields[12])) * 1_000) / CLOCK_TICKS_PER_S);
  }
  return usage;
}
