// Statements written as raw SQL bypass drizzle's column mapping, so they
// must store what the schema's column modes store: timestamp_ms columns
// hold Unix milliseconds, json columns JSON text, boolean columns 0 or 1.

export function millisOrNull(date: Date | null): number | null {
  return date === null ? null : date.getTime();
}

export function jsonOrNull(value: unknown): string | null {
  return value === null ? null : JSON.stringify(value);
}

export function chunked<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
