import { z } from 'zod';

/** Input of get, delete and the schedule actions. */
export const idInput = z.strictObject({
  id: z.string().min(1, 'id may not be empty').max(200, 'id is longer than 200 characters'),
});

/** Builds the schema of one page of a list, with the cursor of the next page (null on the last page). */
export function pageOutput<Item extends z.ZodType>(item: Item) {
  return z.object({
    items: z.array(item),
    next_cursor: z.string().nullable(),
  });
}
