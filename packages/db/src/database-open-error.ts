/**
 * The database named by DATABASE_URL could not be opened or migrated: a
 * configuration or environment problem, reported to the operator as one
 * sentence rather than a stack trace. The original error is the cause.
 */
export class DatabaseOpenError extends Error {
  constructor(
    readonly url: string,
    readonly step: 'open' | 'migrate',
    cause: unknown,
  ) {
    super(`Cannot ${step} the database ${redactUrl(url)}: ${errorMessage(cause)}. ${hintFor(url)}`, { cause });
    this.name = 'DatabaseOpenError';
  }
}

function hintFor(url: string): string {
  if (/^postgres(ql)?:/i.test(url)) {
    return 'Check DATABASE_URL: the PostgreSQL server must be running and reachable, the database must exist (create it with createdb), and the user must be allowed to connect.';
  }
  return 'Check DATABASE_URL: a file: URL needs a folder that exists or can be created, and write access to it.';
}

/** Hides a password in a database URL, so the message can be logged. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/**
 * Returns the message of an error. An AggregateError, which Node.js raises
 * when every address of a host name refused the connection, has an empty
 * message of its own, so its errors' messages stand in for it.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.message === '') return error.errors.map(errorMessage).join('; ');
  return error instanceof Error ? error.message : String(error);
}
