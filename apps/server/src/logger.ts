import pino from 'pino';
import type { Logger } from 'pino';

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
    redact: { paths: ['*.headers.authorization', '*.headers.cookie', 'headers.authorization', 'headers.cookie'], censor: '***' },
    ...(options.pretty ? { transport: { target: 'pino-pretty', options: prettyOptions } } : {}),
  };
  // Synchronous, so no line is lost when the command calls process.exit.
  return toStderr && !options.pretty ? pino(loggerOptions, pino.destination({ dest: 2, sync: true })) : pino(loggerOptions);
}
