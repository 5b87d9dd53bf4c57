import pino from 'pino';
import type { Logger } from 'pino';

const REDACTED_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-scheduler-signature'];
const REDACTED_PATHS = [
  ...REDACTED_HEADERS.flatMap((name) => [`headers["${name}"]`, `*.headers["${name}"]`]),
  'signing_secret',
  '*.signing_secret',
];

/** Creates the process logger: JSON lines, or readable lines when `pretty` (a terminal). */
export function createLogger(options: { level: string; pretty: boolean }): Logger {
  return pino({
    level: options.level,
    base: { service: 'api-scheduler' },
    // Secret values never reach a log line, even if an object carrying them is logged by mistake.
    // pino matches exact paths only, so the usual header names are listed; the code logs no header values at all.
    redact: { paths: REDACTED_PATHS, censor: '***' },
    ...(options.pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } } : {}),
  });
}
