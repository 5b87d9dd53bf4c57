import { asc, eq, sql } from 'drizzle-orm';

import { checkLeaseMs } from '../input-checks.js';
import type { HeartbeatInput, Instance, ReapInput, ReapResult } from '../store.js';
import type { LibsqlDatabase, LibsqlExecutor } from './open-database.js';
import { instances, runs } from './schema.js';

export async function heartbeat(db: LibsqlExecutor, input: HeartbeatInput): Promise<void> {
  checkLeaseMs(input.leaseMs);
  const leaseExpiresAt = new Date(input.now.getTime() + input.leaseMs);
  await db
    .insert(instances)
    .values({ id: input.instanceId, started_at: input.now, heartbeat_at: input.now, lease_expires_at: leaseExpiresAt })
    .onConflictDoUpdate({ target: instances.id, set: { heartbeat_at: input.now, lease_expires_at: leaseExpiresAt } });
}

/**
 * Interrupts the RUNNING runs of instances without a live lease and deletes
 * the lapsed instance rows, in one write transaction so that no heartbeat
 * lands between the two.
 */
export async function reapExpiredInstances(db: LibsqlDatabase, input: ReapInput): Promise<ReapResult> {
  const now = input.now.getTime();
  return db.transaction(
    async (tx) => {
      const lapsed = await tx.all<{ id: string }>(sql`
        SELECT id FROM ${instances} WHERE ${instances.lease_expires_at} < ${now}
        UNION
        SELECT DISTINCT ${runs.instance_id} FROM ${runs}
        WHERE ${runs.status} = 'RUNNING'
          AND NOT EXISTS (SELECT 1 FROM ${instances} WHERE ${instances.id} = ${runs.instance_id} AND ${instances.lease_expires_at} >= ${now})`);
      if (lapsed.length === 0) return { instanceIds: [], runs: 0 };

      const interrupted = await tx.run(sql`
        UPDATE ${runs}
        SET status = 'FAILURE', error_type = 'INTERRUPTED', error_message = ${input.message}, finished_at = ${now}
        WHERE ${runs.status} = 'RUNNING'
          AND NOT EXISTS (SELECT 1 FROM ${instances} WHERE ${instances.id} = ${runs.instance_id} AND ${instances.lease_expires_at} >= ${now})`);
      await tx.run(sql`DELETE FROM ${instances} WHERE ${instances.lease_expires_at} < ${now}`);
      return { instanceIds: lapsed.map((row) => row.id).sort(), runs: interrupted.rowsAffected };
    },
    { behavior: 'immediate' },
  );
}

export async function removeInstance(db: LibsqlExecutor, instanceId: string): Promise<void> {
  await db.delete(instances).where(eq(instances.id, instanceId));
}

export async function listInstances(db: LibsqlExecutor): Promise<Instance[]> {
  return db.select().from(instances).orderBy(asc(instances.started_at), asc(instances.id));
}
