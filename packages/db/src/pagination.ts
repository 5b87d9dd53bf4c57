import { INVALID_CURSOR_MESSAGE, ValidationError, decodePageCursor, encodePageCursor } from '@api-scheduler/core';
import type { Page } from '@api-scheduler/core';

/** Encodes the id of a page's last item as the opaque cursor of the next page. */
export const encodeCursor = encodePageCursor;

/** Decodes a cursor made by encodeCursor to the id it carries. Throws ValidationError at ['cursor'] for anything else. */
export function decodeCursor(cursor: string): string {
  const id = decodePageCursor(cursor);
  if (id === null) throw ValidationError.at(['cursor'], INVALID_CURSOR_MESSAGE, 'value_error');
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
