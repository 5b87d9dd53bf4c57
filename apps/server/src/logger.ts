import pino from 'pino';
import type { Logger } from 'pino';

/** Creates the process logger: JSON lines, or readable lines when `pretty` (a terminal). */
export function createLogger(options: { level: string; pretty: boolean }): Logger {
  return pino({
    level: options.level,
    base: { service: 'api-scheduler' },
    // Secret values never reach a log line, even if an object carrying them is logged by mistake.
    redact: { paths: ['*.headers.authorization', '*.headers.cookie', 'headers.authorization', 'headers.cookie'], censor: '***' },
    ...(options.pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } } : {}),
  });
}
