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
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `Cannot ${step} the database ${redactUrl(url)}: ${reason}. Check DATABASE_URL: a file: URL needs a folder that exists or can be created, and write access to it.`,
      { cause },
    );
    this.name = 'DatabaseOpenError';
  }
}

/** Hides a password in a database URL, so the message can be logged. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
