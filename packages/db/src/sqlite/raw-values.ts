// Statements written as raw SQL bypass drizzle's column mapping, so they
// must store what the schema's column modes store: timestamp_ms columns
// hold Unix milliseconds, json columns JSON text, boolean columns 0 or 1.

export function millisOrNull(date: Date | null): number | null {
  return date === null ? null : date.getTime();
}
