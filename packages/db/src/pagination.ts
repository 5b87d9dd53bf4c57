import { ValidationError, isId } from '@api-scheduler/core';
import type { Page } from '@api-scheduler/core';

/** Encodes the id of a page's last item as the opaque cursor of the next page. */
export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

/** Decodes a cursor made by encodeCursor to the id it carries. Throws ValidationError at ['cursor'] for anything else. */
export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');

  // Node's base64url decoder skips characters it does not know, so only a
  // cursor that encodes back to itself is one this module made.
  if (!isId(id) || encodeCursor(id) !== cursor) {
    throw ValidationError.at(['cursor'], 'Invalid cursor: pass the next_cursor of the previous page unchanged, or omit it for the first page', 'value_error');
  }
  return id;
}

/**
 * Builds a page from rows fetched with a limit of `limit + 1`: the extra row
 * is not returned, and only shows that a next page exists.
 */
export function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  if (rows.length <= limit) return { items: rows, next_cursor: null };

  const items = rows.slice(0, limit);
  return { items, next_cursor: encodeCursor(items[items.length - 1]!.id) };
}
