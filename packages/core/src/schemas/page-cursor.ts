import { z } from 'zod';

import { isId } from '../ids.js';

/** The message for a cursor that no list returned, worded for tRPC and REST clients alike. */
export const INVALID_CURSOR_MESSAGE =
  'Invalid cursor: pass the cursor of the previous page unchanged (next_cursor in tRPC, the X-Next-Cursor header in REST), or omit it for the first page';

/** Encodes the id of a page's last item as the opaque cursor of the next page. */
export function encodePageCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

/** Decodes a cursor made by encodePageCursor to the id it carries, or returns null for any other string. */
export function decodePageCursor(cursor: string): string | null {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');

  // Node's base64url decoder skips characters it does not know, so only a
  // cursor that encodes back to itself is one that encodePageCursor made.
  return isId(id) && encodePageCursor(id) === cursor ? id : null;
}

export const pageCursorSchema = z
  .string({ error: 'cursor must be a string' })
  .min(1, { message: 'cursor may not be empty', abort: true })
  .max(200, { message: 'cursor is longer than 200 characters', abort: true })
  .refine((cursor) => decodePageCursor(cursor) !== null, { message: INVALID_CURSOR_MESSAGE });
