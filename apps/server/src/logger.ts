import pino from 'pino';
import type { Logger } from 'pino';

const REDACTED_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-scheduler-signature'];
const REDACTED_PATHS = [
  ...REDACTED_HEADERS.flatMap((name) => [`headers["${name}"]`, `*.headers["${name}"]`]),
  'signing_secret',
  '*.signing_secret',
];

export type LogFormat = 'json' | 'pretty';

/**
 * Picks the log format: LOG_PRETTY when it is set, otherwise readable lines
 * for a terminal and JSON lines for anything else (a file, a pipe, a log
 * collector).
 */
export function chooseLogFormat(prettySetting: boolean | undefined, destinationIsTerminal: boolean): LogFormat {
  if (prettySetting !== undefined) return prettySetting ? 'pretty' : 'json';
  return destinationIsTerminal ? 'pretty' : 'json';
}

/**
 * Creates the process logger: JSON lines, or readable lines when `pretty` (a
 * terminal). With `stderr` it writes to standard error, for commands whose
 * standard output is their result.
 */
export function createLogger(options: { level: string; pretty: boolean; stderr?: boolean }): Logger {
  const toStderr = options.stderr === true;
  const prettyOptions = { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service', ...(toStderr ? { destination: 2 } : {}) };
  const loggerOptions = {
    level: options.level,
    base: { service: 'api-scheduler' },
    // Secret values never reach a log line, even if an object carrying them is logged by mistake.
    // pino matches exact paths only, so the usual header names are listed; the code logs no header values at all.
    redact: { paths: REDACTED_PATHS, censor: '***' },
    ...(options.pretty ? { transport: { target: 'pino-pretty', options: prettyOptions } } : {}),
  };
  // Synchronous, so no line is lost when the command calls process.exit.
  return toStderr && !options.pretty ? pino(loggerOptions, pino.destination({ dest: 2, sync: true })) : pino(loggerOptions);
}
