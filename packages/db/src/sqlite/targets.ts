import { ConflictError, NotFoundError } from '@api-scheduler/core';
import type { Page, PageInput, Target, UpdateTarget } from '@api-scheduler/core';
import { asc, count, eq, gt } from 'drizzle-orm';

import { decodeCursor, toPage } from '../pagination.js';
import { pickDefined } from '../pick-defined.js';
import type { NewTarget } from '../store.js';
import type { LibsqlDatabase, LibsqlExecutor } from './open-database.js';
import { schedules, targets } from './schema.js';
import { violatedConstraint } from './sqlite-errors.js';

/** How many schedules a "target is in use" conflict names before it only counts the rest. */
const MAX_NAMED_SCHEDULES = 20;

export async function insertTarget(db: LibsqlExecutor, target: NewTarget): Promise<Target> {
  const [row] = await db
    .insert(targets)
    .values({
      id: target.id,
      name: target.name,
      url: target.url,
      method: target.method,
      headers: target.headers,
      body_template: target.body_template,
      signing_secret: target.signing_secret ?? null,
      timeout_ms: target.timeout_ms,
      created_at: target.created_at,
      updated_at: target.updated_at,
    })
    .returning();
  return row!;
}

export async function findTarget(db: LibsqlExecutor, id: string): Promise<Target | null> {
  const [row] = await db.select().from(targets).where(eq(targets.id, id));
  return row ?? null;
}

export async function listTargets(db: LibsqlExecutor, input: PageInput): Promise<Page<Target>> {
  const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
  const rows = await db
    .select()
    .from(targets)
    .where(after === undefined ? undefined : gt(targets.id, after))
    .orderBy(asc(targets.id))
    .limit(input.limit + 1);
  return toPage(rows, input.limit);
}

const targetPatchKeys = ['name', 'url', 'method', 'headers', 'body_template', 'timeout_ms', 'signing_secret'] as const;

export async function updateTarget(db: LibsqlExecutor, id: string, patch: UpdateTarget & { updated_at: Date }): Promise<Target> {
  const [row] = await db
    .update(targets)
    .set({ ...pickDefined(patch, targetPatchKeys), updated_at: patch.updated_at })
    .where(eq(targets.id, id))
    .returning();
  if (!row) throw new NotFoundError('target', id);
  return row;
}

/** Deletes a target that no schedule uses. Throws ConflictError naming the schedules that do. */
export async function deleteTarget(db: LibsqlDatabase, id: string): Promise<void> {
  // The check and the delete share a transaction, so no schedule can start
  // using the target in between.
  await db.transaction(
    async (tx) => {
      const users = await tx
        .select({ id: schedules.id, name: schedules.name })
        .from(schedules)
        .where(eq(schedules.target_id, id))
        .orderBy(asc(schedules.id))
        .limit(MAX_NAMED_SCHEDULES);
      if (users.length > 0) {
        const total = users.length < MAX_NAMED_SCHEDULES ? users.length : await countSchedulesOf(tx, id);
        throw new ConflictError(targetInUseMessage(id, users, total));
      }

      try {
        const result = await tx.delete(targets).where(eq(targets.id, id));
        if (result.rowsAffected === 0) throw new NotFoundError('target', id);
      } catch (error) {
        if (violatedConstraint(error) === 'foreign_key') {
          throw new ConflictError(`Target ${id} is used by schedules: delete those schedules or move them to another target first`);
        }
        throw error;
      }
    },
    { behavior: 'immediate' },
  );
}

async function countSchedulesOf(db: LibsqlExecutor, targetId: string): Promise<number> {
  const [row] = await db.select({ total: count() }).from(schedules).where(eq(schedules.target_id, targetId));
  return row?.total ?? 0;
}

function targetInUseMessage(id: string, users: { id: string; name: string }[], total: number): string {
  const named = users.map((schedule) => `${schedule.name} (id ${schedule.id})`).join(', ');
  const more = total > users.length ? ` and ${total - users.length} more` : '';
  return `Target ${id} is used by schedules: ${named}${more}. Delete those schedules or move them to another target first`;
}
