import { asc, eq, lt, sql } from 'drizzle-orm';

import { checkLeaseMs } from '../input-checks.js';
import type { HeartbeatInput, Instance, ReapInput, ReapResult } from '../store.js';
import type { PostgresDatabase, PostgresExecutor } from './open-database.js';
import { instances, runs } from './schema.js';

export async function heartbeat(db: PostgresExecutor, input: HeartbeatInput): Promise<void> {
  checkLeaseMs(input.leaseMs);
  const leaseExpiresAt = new Date(input.now.getTime() + input.leaseMs);
  await db
    .insert(instances)
    .values({ id: input.instanceId, started_at: input.now, heartbeat_at: input.now, lease_expires_at: leaseExpiresAt })
    .onConflictDoUpdate({ target: instances.id, set: { heartbeat_at: input.now, lease_expires_at: leaseExpiresAt } });
}

/**
 * Interrupts the RUNNING runs of instances without a live lease and deletes
 * the lapsed instance rows, in one transaction. The instance rows are locked
 * first (FOR UPDATE), so a heartbeat that renews a lease waits until the
 * reap commits, and the runs of an instance whose renewal committed first
 * are not interrupted.
 */
export async function reapExpiredInstances(db: PostgresDatabase, input: ReapInput): Promise<ReapResult> {
  const now = input.now;
  return db.transaction(async (tx) => {
    // Locked in id order, so a second reap waits here for the first one instead of deadlocking with it.
    await tx.select({ id: instances.id }).from(instances).orderBy(asc(instances.id)).for('update');

    const lapsed = await tx.execute<{ id: string }>(sql`
      SELECT id FROM ${instances} WHERE ${instances.lease_expires_at} < ${now}
      UNION
      SELECT DISTINCT ${runs.instance_id} FROM ${runs}
      WHERE ${runs.status} = 'RUNNING'
        AND NOT EXISTS (SELECT 1 FROM ${instances} WHERE ${instances.id} = ${runs.instance_id} AND ${instances.lease_expires_at} >= ${now})`);
    if (lapsed.rows.length === 0) return { instanceIds: [], runs: 0 };

    const interrupted = await tx
      .update(runs)
      .set({ status: 'FAILURE', error_type: 'INTERRUPTED', error_message: input.message, finished_at: now })
      .where(
        sql`${runs.status} = 'RUNNING'
          AND NOT EXISTS (SELECT 1 FROM ${instances} WHERE ${instances.id} = ${runs.instance_id} AND ${instances.lease_expires_at} >= ${now})`,
      );
    await tx.delete(instances).where(lt(instances.lease_expires_at, now));
    // Sorted here, as in every store, by JavaScript string order.
    return { instanceIds: lapsed.rows.map((row) => row.id).sort(), runs: interrupted.rowCount ?? 0 };
  });
}

export async function removeInstance(db: PostgresExecutor, instanceId: string): Promise<void> {
  await db.delete(instances).where(eq(instances.id, instanceId));
}

export async function listInstances(db: PostgresExecutor): Promise<Instance[]> {
  return db.select().from(instances).orderBy(asc(instances.started_at), asc(instances.id));
}
