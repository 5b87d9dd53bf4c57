/**
 * Sorts the errors that end a CLI command into usage errors (exit 2) and
 * failures (exit 1). The checks match the error's name, which each class
 * below sets, so the CLI does not import the database, the engine or the
 * API only to test `instanceof`. cli-errors.test.ts builds each class and
 * checks that its name is recognised here.
 */

/** Errors that report invalid usage or configuration: exit 2 with the message alone. */
const USAGE_ERRORS = new Set([
  'EnvError', // ./env.js
  'KeysUsageError', // ./keys-command.js
  'InsecureStartError', // ./startup-policy.js
  'ImportDocumentError', // ./export-import.js
  'RemoteUsageError', // ./remote-command.js
]);

/** Failures whose message explains the cause in one line, so the stack is left out. */
const EXPLAINED_FAILURES = new Set([
  'DatabaseOpenError', // @api-scheduler/db
  'DestinationNotEmptyError', // @api-scheduler/db
  'ImportDestinationNotEmptyError', // ./export-import.js
  'NotFoundError', // @api-scheduler/core
  'SecretDecryptionError', // @api-scheduler/engine
]);

/** Returns true for an error that reports invalid usage or configuration, which exits 2. */
export function isUsageError(error: unknown): error is Error {
  return error instanceof Error && USAGE_ERRORS.has(error.name);
}

/**
 * Explains a failure in one line where its cause is known (a system error
 * such as a port in use or an unwritable path), with the stack otherwise.
 */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (EXPLAINED_FAILURES.has(error.name)) return error.message;

  const code = 'code' in error ? String(error.code) : '';
  if (code === 'EADDRINUSE') {
    const { address, port } = error as Error & { address?: string; port?: number };
    return `port ${port} on ${address} is already in use: stop the other process or set PORT to a free port`;
  }
  if (code === 'EADDRNOTAVAIL') return `${error.message}: HOST must be an address of this machine`;
  if (/^E[A-Z]+$/.test(code)) return error.message;
  return error.stack ?? error.message;
}
