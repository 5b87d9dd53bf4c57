import { ConflictError, NotFoundError, ValidationError, apiKeyMatches, generateApiKey, newId } from '@api-scheduler/core';
import type { StoredApiKey } from '@api-scheduler/core';
import type { Run, Schedule, Target } from '@api-scheduler/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { RunResult, Store } from '../src/index.js';
import { T0, claimInput, hour, iso, minute, newRun, newSchedule, newTarget, second } from './fixtures.js';

export interface StoreHandle {
  store: Store;
  /** Closes the store and removes whatever the factory created. */
  cleanup(): Promise<void>;
}

/**
 * Registers the tests that every Store implementation must pass. `createStore`
 * returns a store on a new, empty database, and the suite migrates it.
 */
export function describeStoreConformance(name: string, createStore: () => Promise<StoreHandle>): void {
  describe(`${name} Store conformance`, () => {
    let handle: StoreHandle;
    let store: Store;

    beforeEach(async () => {
      handle = await createStore();
      store = handle.store;
      await store.migrate();
    });

    afterEach(async () => {
      await handle.cleanup();
    });

    async function createTarget(overrides: Parameters<typeof newTarget>[0] = {}): Promise<Target> {
      return store.createTarget(newTarget(overrides));
    }

    async function createSchedule(target: Target, options: Parameters<typeof newSchedule>[1] = {}): Promise<Schedule> {
      return store.createSchedule(newSchedule(target, options));
    }

    /** Creates a schedule on the default every-minute grid with next_run_at at `dueAt`. */
    async function createDueSchedule(target: Target, dueAt: number, overrides: Partial<Schedule> = {}): Promise<Schedule> {
      return createSchedule(target, { overrides: { next_run_at: new Date(dueAt), ...overrides } });
    }

    describe('migrate', () => {
      it('is harmless when run again', async () => {
        const target = await createTarget();

        await store.migrate();

        expect(await store.getTarget(target.id)).toEqual(target);
      });
    });

    describe('ping', () => {
      it('returns a round-trip time in milliseconds', async () => {
        const ms = await store.ping();

        expect(typeof ms).toBe('number');
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(ms).toBeLessThan(5_000);
      });
    });

    describe('targets', () => {
      it('createTarget returns the target as stored', async () => {
        const input = newTarget({ body_template: null, headers: { 'X-Env': 'test' } });

        const created = await store.createTarget(input);

        expect(created).toEqual(input);
        expect(created.created_at).toBeInstanceOf(Date);
        expect(await store.getTarget(input.id)).toEqual(input);
      });

      it('stores, replaces and clears signing_secret', async () => {
        const target = await createTarget({ signing_secret: 'enc:v1:0a1b2c3d:c2VhbGVk' });
        expect(await store.getTarget(target.id)).toMatchObject({ signing_secret: 'enc:v1:0a1b2c3d:c2VhbGVk' });

        await store.updateTarget(target.id, { signing_secret: 'another-secret-value', updated_at: new Date(T0) });
        expect(await store.getTarget(target.id)).toMatchObject({ signing_secret: 'another-secret-value' });

        await store.updateTarget(target.id, { name: 'renamed', updated_at: new Date(T0) });
        expect(await store.getTarget(target.id)).toMatchObject({ signing_secret: 'another-secret-value', name: 'renamed' });

        await store.updateTarget(target.id, { signing_secret: null, updated_at: new Date(T0) });
        expect(await store.getTarget(target.id)).toMatchObject({ signing_secret: null });
      });

      it('getTarget returns null for an unknown id', async () => {
        expect(await store.getTarget(newTarget().id)).toBeNull();
      });

      it('updateTarget changes only the given fields', async () => {
        const target = await createTarget();
        const updatedAt = new Date(T0);

        const updated = await store.updateTarget(target.id, { url: 'http://127.0.0.1:9/other', body_template: null, updated_at: updatedAt });

        expect(updated).toEqual({ ...target, url: 'http://127.0.0.1:9/other', body_template: null, updated_at: updatedAt });
        expect(await store.getTarget(target.id)).toEqual(updated);
      });

      it('updateTarget of an unknown id throws NotFoundError', async () => {
        const id = newTarget().id;

        const update = store.updateTarget(id, { name: 'x', updated_at: new Date(T0) });

        await expect(update).rejects.toBeInstanceOf(NotFoundError);
        await expect(update).rejects.toMatchObject({ entity: 'target', id });
      });

      it('listTargets pages oldest first', async () => {
        const created: Target[] = [];
        for (let i = 0; i < 5; i += 1) created.push(await createTarget({ name: `target ${i}` }));

        const first = await store.listTargets({ limit: 2 });
        expect(first.items.map((target) => target.name)).toEqual(['target 0', 'target 1']);
        expect(first.next_cursor).not.toBeNull();

        const second = await store.listTargets({ limit: 2, cursor: first.next_cursor! });
        expect(second.items.map((target) => target.name)).toEqual(['target 2', 'target 3']);
        expect(second.next_cursor).not.toBeNull();

        const last = await store.listTargets({ limit: 2, cursor: second.next_cursor! });
        expect(last.items).toEqual([created[4]]);
        expect(last.next_cursor).toBeNull();
      });

      it('listTargets ends without a cursor on a full last page', async () => {
        for (let i = 0; i < 4; i += 1) await createTarget();

        const first = await store.listTargets({ limit: 2 });
        const last = await store.listTargets({ limit: 2, cursor: first.next_cursor! });

        expect(last.items).toHaveLength(2);
        expect(last.next_cursor).toBeNull();
      });

      it('listTargets of an empty store is one empty page', async () => {
        expect(await store.listTargets({ limit: 10 })).toEqual({ items: [], next_cursor: null });
      });

      it('listTargets rejects an invalid cursor at loc cursor', async () => {
        for (const cursor of ['not-a-cursor', 'AAAA', Buffer.from('x').toString('base64url')]) {
          const list = store.listTargets({ limit: 2, cursor });

          await expect(list).rejects.toBeInstanceOf(ValidationError);
          await expect(list).rejects.toMatchObject({ issues: [{ loc: ['cursor'] }] });
        }
      });

      it('deleteTarget removes an unused target', async () => {
        const target = await createTarget();

        await store.deleteTarget(target.id);

        expect(await store.getTarget(target.id)).toBeNull();
      });

      it('deleteTarget of an unknown id throws NotFoundError', async () => {
        await expect(store.deleteTarget(newTarget().id)).rejects.toBeInstanceOf(NotFoundError);
      });

      it('deleteTarget of a used target names its schedules', async () => {
        const target = await createTarget();
        const nightly = await createSchedule(target, { overrides: { name: 'nightly' } });
        const hourly = await createSchedule(target, { overrides: { name: 'hourly', status: 'PAUSED' } });

        const deletion = store.deleteTarget(target.id);

        await expect(deletion).rejects.toBeInstanceOf(ConflictError);
        await expect(deletion).rejects.toThrow(`Target ${target.id} is used by schedules: nightly (id ${nightly.id}), hourly (id ${hourly.id})`);
        expect(await store.getTarget(target.id)).toEqual(target);
      });

      it('deleteTarget counts schedules past the first twenty', async () => {
        const target = await createTarget();
        for (let i = 0; i < 22; i += 1) await createSchedule(target, { overrides: { name: `s${i}` } });

        const deletion = store.deleteTarget(target.id);

        await expect(deletion).rejects.toBeInstanceOf(ConflictError);
        await expect(deletion).rejects.toThrow(/s0 \(id .*s19 \(id [^)]*\) and 2 more\./);
        await expect(deletion).rejects.not.toThrow(/s20 \(id/);
      });

      it('deleteTarget succeeds once its schedules are gone', async () => {
        const target = await createTarget();
        const schedule = await createSchedule(target);
        await store.deleteSchedule(schedule.id);

        await store.deleteTarget(target.id);

        expect(await store.getTarget(target.id)).toBeNull();
      });
    });

    describe('schedules', () => {
      it('createSchedule returns the schedule as stored', async () => {
        const target = await createTarget();
        const input = newSchedule(target, { overrides: { retry_policy: { ...newSchedule(target).retry_policy, max_retries: 5 } } });

        const created = await store.createSchedule(input);

        expect(created).toEqual(input);
        expect(created.next_run_at).toEqual(new Date(T0));
        expect(created.last_run_at).toBeNull();
        expect(await store.getSchedule(input.id)).toEqual(input);
      });

      it('createSchedule round-trips a WINDOW config', async () => {
        const target = await createTarget();
        const input = newSchedule(target, {
          type: 'WINDOW',
          config: { start_time: iso(T0), end_time: iso(T0 + hour), interval_seconds: 600, max_runs: 3 },
        });

        await store.createSchedule(input);

        expect((await store.getSchedule(input.id))?.schedule_config).toEqual({
          start_time: iso(T0),
          end_time: iso(T0 + hour),
          interval_seconds: 600,
          max_runs: 3,
        });
      });

      it('createSchedule with an unknown target throws NotFoundError', async () => {
        const missing = newTarget();

        const creation = store.createSchedule(newSchedule(missing));

        await expect(creation).rejects.toBeInstanceOf(NotFoundError);
        await expect(creation).rejects.toMatchObject({ entity: 'target', id: missing.id });
      });

      it('getSchedule returns null for an unknown id', async () => {
        expect(await store.getSchedule(newTarget().id)).toBeNull();
      });

      it('updateSchedule changes only the given fields', async () => {
        const target = await createTarget();
        const other = await createTarget({ name: 'other' });
        const schedule = await createSchedule(target);
        const updatedAt = new Date(T0);

        const updated = await store.updateSchedule(schedule.id, {
          target_id: other.id,
          name: 'renamed',
          status: 'COMPLETED',
          next_run_at: null,
          overlap_policy: 'allow',
          updated_at: updatedAt,
        });

        expect(updated).toEqual({
          ...schedule,
          target_id: other.id,
          name: 'renamed',
          status: 'COMPLETED',
          next_run_at: null,
          overlap_policy: 'allow',
          updated_at: updatedAt,
        });
        expect(await store.getSchedule(schedule.id)).toEqual(updated);
      });

      it('updateSchedule of an unknown id throws NotFoundError', async () => {
        const id = newTarget().id;

        const update = store.updateSchedule(id, { name: 'x', updated_at: new Date(T0) });

        await expect(update).rejects.toBeInstanceOf(NotFoundError);
        await expect(update).rejects.toMatchObject({ entity: 'schedule', id });
      });

      it('updateSchedule to an unknown target throws NotFoundError', async () => {
        const schedule = await createSchedule(await createTarget());
        const missing = newTarget().id;

        const update = store.updateSchedule(schedule.id, { target_id: missing, updated_at: new Date(T0) });

        await expect(update).rejects.toBeInstanceOf(NotFoundError);
        await expect(update).rejects.toMatchObject({ entity: 'target', id: missing });
        expect(await store.getSchedule(schedule.id)).toEqual(schedule);
      });

      it('listSchedules pages oldest first', async () => {
        const target = await createTarget();
        for (let i = 0; i < 5; i += 1) await createSchedule(target, { overrides: { name: `schedule ${i}` } });

        const names: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.listSchedules({ limit: 2, ...(cursor === undefined ? {} : { cursor }) });
          names.push(...page.items.map((schedule) => schedule.name));
          cursor = page.next_cursor ?? undefined;
          pages += 1;
        } while (cursor !== undefined);

        expect(names).toEqual(['schedule 0', 'schedule 1', 'schedule 2', 'schedule 3', 'schedule 4']);
        expect(pages).toBe(3);
      });

      it('listSchedules filters by status and target', async () => {
        const first = await createTarget();
        const second = await createTarget();
        const active = await createSchedule(first);
        const paused = await createSchedule(first, { overrides: { status: 'PAUSED' } });
        const elsewhere = await createSchedule(second);

        const byStatus = await store.listSchedules({ limit: 10, status: 'PAUSED' });
        expect(byStatus.items.map((schedule) => schedule.id)).toEqual([paused.id]);

        const byTarget = await store.listSchedules({ limit: 10, target_id: first.id });
        expect(byTarget.items.map((schedule) => schedule.id)).toEqual([active.id, paused.id]);

        const both = await store.listSchedules({ limit: 10, target_id: second.id, status: 'ACTIVE' });
        expect(both.items.map((schedule) => schedule.id)).toEqual([elsewhere.id]);
      });

      it('listSchedules rejects an invalid cursor at loc cursor', async () => {
        const list = store.listSchedules({ limit: 2, cursor: 'bogus' });

        await expect(list).rejects.toBeInstanceOf(ValidationError);
        await expect(list).rejects.toMatchObject({ issues: [{ loc: ['cursor'] }] });
      });

      it('deleteSchedule removes the schedule and its runs', async () => {
        const target = await createTarget();
        const doomed = await createSchedule(target);
        const survivor = await createSchedule(target);
        const doomedRun = await store.insertRun(newRun(doomed));
        const survivorRun = await store.insertRun(newRun(survivor));

        await store.deleteSchedule(doomed.id);

        expect(await store.getSchedule(doomed.id)).toBeNull();
        expect(await store.getRun(doomedRun.id)).toBeNull();
        expect((await store.listRuns({ limit: 10, schedule_id: doomed.id })).items).toEqual([]);
        expect(await store.getRun(survivorRun.id)).toEqual(survivorRun);
      });

      it('deleteSchedule of an unknown id throws NotFoundError', async () => {
        await expect(store.deleteSchedule(newTarget().id)).rejects.toBeInstanceOf(NotFoundError);
      });

      it('countSchedulesByStatus of an empty store is zero', async () => {
        expect(await store.countSchedulesByStatus()).toEqual({ ACTIVE: 0, PAUSED: 0, COMPLETED: 0 });
      });

      it('countSchedulesByStatus counts each status', async () => {
        const target = await createTarget();
        await createSchedule(target);
        await createSchedule(target);
        await createSchedule(target, { overrides: { status: 'PAUSED' } });

        expect(await store.countSchedulesByStatus()).toEqual({ ACTIVE: 2, PAUSED: 1, COMPLETED: 0 });
      });

      it('earliestNextRunAt is null without ACTIVE schedules', async () => {
        const target = await createTarget();
        await createSchedule(target, { overrides: { status: 'PAUSED' } });

        expect(await store.earliestNextRunAt()).toBeNull();
      });

      it('earliestNextRunAt returns the earliest ACTIVE next_run_at', async () => {
        const target = await createTarget();
        await createDueSchedule(target, T0 + 2 * minute);
        await createDueSchedule(target, T0 + minute);
        await createDueSchedule(target, T0 - hour, { status: 'PAUSED' });
        await createDueSchedule(target, T0 - hour, { status: 'COMPLETED' });
        await createSchedule(target, { overrides: { status: 'COMPLETED', next_run_at: null } });

        expect(await store.earliestNextRunAt()).toBe(T0 + minute);
      });

      it('earliestNextRunAt skips next_run_at up to after', async () => {
        const target = await createTarget();
        await createDueSchedule(target, T0);
        await createDueSchedule(target, T0 + minute);

        expect(await store.earliestNextRunAt(T0)).toBe(T0 + minute);
        expect(await store.earliestNextRunAt(T0 + minute)).toBeNull();
      });
    });

    describe('claimDueSchedules', () => {
      it('claims only due ACTIVE schedules', async () => {
        const target = await createTarget();
        const due = await createDueSchedule(target, T0);
        await createDueSchedule(target, T0 + minute);
        await createDueSchedule(target, T0 - minute, { status: 'PAUSED' });
        await createDueSchedule(target, T0 - minute, { status: 'COMPLETED' });

        const fires = await store.claimDueSchedules(claimInput(T0 + 500));

        expect(fires.map((fire) => fire.schedule.id)).toEqual([due.id]);
      });

      it('records each fire as a RUNNING run', async () => {
        const target = await createTarget();
        const due = await createDueSchedule(target, T0);

        const [fire] = await store.claimDueSchedules(claimInput(T0 + 500));

        expect(fire?.target).toEqual(target);
        expect(fire?.run).toMatchObject({
          schedule_id: due.id,
          target_id: target.id,
          scheduled_for: new Date(T0),
          attempt: 1,
          started_at: new Date(T0 + 500),
          finished_at: null,
          status: 'RUNNING',
          status_code: null,
          truncated: false,
          error_type: null,
          error_message: null,
          request: { method: 'POST', url: target.url, headers: { 'Content-Type': 'application/json', Authorization: '***' } },
          catch_up: false,
          manual: false,
          missed_count: 0,
          instance_id: 'instance-a',
        });
        expect(await store.getRun(fire!.run.id)).toEqual(fire!.run);
      });

      it('skips a fire behind a running run', async () => {
        const target = await createTarget();
        const busy = await createDueSchedule(target, T0);
        const busyAllow = await createDueSchedule(target, T0, { overlap_policy: 'allow' });
        const busyQueue = await createDueSchedule(target, T0, { overlap_policy: 'queue_one' });
        const idle = await createDueSchedule(target, T0);
        const inFlight = new Map<string, Run>();
        for (const schedule of [busy, busyAllow, busyQueue]) {
          inFlight.set(schedule.id, await store.insertRun(newRun(schedule, { scheduled_for: new Date(T0 - minute), instance_id: 'instance-b' })));
        }
        await store.insertRun(newRun(idle, { scheduled_for: new Date(T0 - minute), status: 'SUCCESS', finished_at: new Date(T0 - minute) }));

        const fires = await store.claimDueSchedules(claimInput(T0 + 500));

        const byId = new Map(fires.map((fire) => [fire.schedule.id, fire.run]));
        expect(byId.get(busy.id)).toMatchObject({
          status: 'SKIPPED',
          finished_at: new Date(T0 + 500),
          error_message: `Skipped by the overlap policy "skip": run ${inFlight.get(busy.id)!.id} of this schedule was still in flight`,
        });
        expect(await store.getRun(byId.get(busy.id)!.id)).toEqual(byId.get(busy.id));
        expect(byId.get(busyAllow.id)?.status).toBe('RUNNING');
        expect(byId.get(busyQueue.id)?.status).toBe('RUNNING');
        expect(byId.get(idle.id)?.status).toBe('RUNNING');
        // The skipped slot is still claimed: the grid moves on.
        expect((await store.getSchedule(busy.id))?.next_run_at).toEqual(new Date(T0 + minute));
      });

      it('advances next_run_at, run_count and last_run_at', async () => {
        const target = await createTarget();
        const due = await createDueSchedule(target, T0);

        const [fire] = await store.claimDueSchedules(claimInput(T0 + 500));

        const expected: Schedule = {
          ...due,
          next_run_at: new Date(T0 + minute),
          run_count: 1,
          last_run_at: new Date(T0),
          updated_at: new Date(T0 + 500),
        };
        expect(fire?.schedule).toEqual(expected);
        expect(await store.getSchedule(due.id)).toEqual(expected);
      });

      it('fires a slot once across repeated claims', async () => {
        const target = await createTarget();
        await createDueSchedule(target, T0);

        const first = await store.claimDueSchedules(claimInput(T0 + 500));
        const again = await store.claimDueSchedules(claimInput(T0 + 600));

        expect(first).toHaveLength(1);
        expect(again).toEqual([]);
        expect((await store.listRuns({ limit: 10 })).items).toHaveLength(1);
      });

      it('claims at most limit schedules, earliest first', async () => {
        const target = await createTarget();
        const offsets = [4, 1, 3, 0, 2].map((k) => T0 - k * minute);
        const byOffset = new Map<number, string>();
        for (const dueAt of offsets) byOffset.set(dueAt, (await createDueSchedule(target, dueAt)).id);
        const earliestFirst = [...offsets].sort((a, b) => a - b).map((dueAt) => byOffset.get(dueAt));

        const batches: string[][] = [];
        for (let i = 0; i < 4; i += 1) {
          const fires = await store.claimDueSchedules(claimInput(T0 + 500, { limit: 2 }));
          batches.push(fires.map((fire) => fire.schedule.id));
        }

        expect(batches).toEqual([earliestFirst.slice(0, 2), earliestFirst.slice(2, 4), earliestFirst.slice(4), []]);
      });

      it('claims on-time schedules before the backlog', async () => {
        const target = await createTarget();
        const oldest = await createDueSchedule(target, T0 - 3 * minute);
        const older = await createDueSchedule(target, T0 - 2 * minute);
        const onTime = await createDueSchedule(target, T0);
        const backlog = { before: T0 - second, limit: 100 };

        const firstBatch = await store.claimDueSchedules(claimInput(T0 + 500, { limit: 2, backlog }));
        const secondBatch = await store.claimDueSchedules(claimInput(T0 + 500, { limit: 2, backlog }));

        expect(firstBatch.map((fire) => fire.schedule.id)).toEqual([onTime.id, oldest.id]);
        expect(secondBatch.map((fire) => fire.schedule.id)).toEqual([older.id]);
      });

      it('caps the backlog at its limit', async () => {
        const target = await createTarget();
        const oldest = await createDueSchedule(target, T0 - 3 * minute);
        await createDueSchedule(target, T0 - 2 * minute);
        const onTime = await createDueSchedule(target, T0);

        const capped = await store.claimDueSchedules(claimInput(T0 + 500, { backlog: { before: T0 - second, limit: 1 } }));
        const none = await store.claimDueSchedules(claimInput(T0 + 500, { backlog: { before: T0 - second, limit: 0 } }));

        expect(capped.map((fire) => fire.schedule.id)).toEqual([onTime.id, oldest.id]);
        expect(none).toEqual([]);
      });

      it('fires nothing when nothing is due', async () => {
        const target = await createTarget();
        await createDueSchedule(target, T0 + minute);

        expect(await store.claimDueSchedules(claimInput(T0))).toEqual([]);
      });

      it('fire_once records one catch-up fire', async () => {
        const target = await createTarget();
        const late = await createDueSchedule(target, T0 - 10 * minute);

        const fires = await store.claimDueSchedules(claimInput(T0 + 500));

        expect(fires).toHaveLength(1);
        expect(fires[0]?.run).toMatchObject({ status: 'RUNNING', scheduled_for: new Date(T0), catch_up: true, missed_count: 10 });
        expect(await store.getSchedule(late.id)).toMatchObject({ next_run_at: new Date(T0 + minute), run_count: 1, last_run_at: new Date(T0) });
      });

      it('fire_all records every missed slot', async () => {
        const target = await createTarget();
        await createDueSchedule(target, T0 - 3 * minute, { misfire_policy: 'fire_all' });

        const fires = await store.claimDueSchedules(claimInput(T0 + 500));

        expect(fires.map((fire) => fire.run.scheduled_for.getTime())).toEqual([T0 - 3 * minute, T0 - 2 * minute, T0 - minute, T0]);
        expect(fires.map((fire) => fire.run.status)).toEqual(['RUNNING', 'RUNNING', 'RUNNING', 'RUNNING']);
        expect(fires.map((fire) => fire.run.catch_up)).toEqual([true, true, true, true]);
        expect(fires[fires.length - 1]?.schedule).toMatchObject({ run_count: 4, last_run_at: new Date(T0) });
      });

      it('skip misfire policy records a SKIPPED run', async () => {
        const target = await createTarget();
        const late = await createDueSchedule(target, T0 - 10 * minute, { misfire_policy: 'skip' });

        const fires = await store.claimDueSchedules(claimInput(T0 + 500));

        expect(fires).toHaveLength(1);
        const run = fires[0]!.run;
        expect(run).toMatchObject({ status: 'SKIPPED', scheduled_for: new Date(T0), finished_at: new Date(T0 + 500), missed_count: 10 });
        expect(run.error_message).toMatch(/misfire policy/);
        expect(await store.getRun(run.id)).toEqual(run);
        expect(await store.getSchedule(late.id)).toMatchObject({ next_run_at: new Date(T0 + minute), run_count: 0, last_run_at: null });
      });

      it('completes a WINDOW schedule after max_runs', async () => {
        const target = await createTarget();
        const window = await createSchedule(target, {
          type: 'WINDOW',
          config: { start_time: iso(T0), end_time: iso(T0 + hour), interval_seconds: 60, max_runs: 2 },
        });

        await store.claimDueSchedules(claimInput(T0 + 500));
        const last = await store.claimDueSchedules(claimInput(T0 + minute + 500));
        const after = await store.claimDueSchedules(claimInput(T0 + 2 * minute + 500));

        expect(last[0]?.schedule).toMatchObject({ status: 'COMPLETED', next_run_at: null, run_count: 2 });
        expect(after).toEqual([]);
        expect(await store.getSchedule(window.id)).toMatchObject({ status: 'COMPLETED', next_run_at: null, run_count: 2 });
        expect(await store.earliestNextRunAt()).toBeNull();
      });

      it('skips a slot that already has a run', async () => {
        const target = await createTarget();
        const due = await createDueSchedule(target, T0);
        const existing = await store.insertRun(newRun(due, { scheduled_for: new Date(T0), status: 'SUCCESS' }));

        const fires = await store.claimDueSchedules(claimInput(T0 + 500));

        expect(fires).toEqual([]);
        expect((await store.listRuns({ limit: 10 })).items).toEqual([existing]);
        expect(await store.getSchedule(due.id)).toMatchObject({ next_run_at: new Date(T0 + minute) });
      });

      it('skips a schedule whose plan throws', async () => {
        const target = await createTarget();
        const broken = await createDueSchedule(target, T0 - minute);
        const healthy = await createDueSchedule(target, T0);
        const input = claimInput(T0 + 500);
        const plan = input.plan;

        const fires = await store.claimDueSchedules({
          ...input,
          plan: (schedule, now) => {
            if (schedule.id === broken.id) throw new Error('plan failed');
            return plan(schedule, now);
          },
        });

        expect(fires.map((fire) => fire.schedule.id)).toEqual([healthy.id]);
        expect(await store.getSchedule(broken.id)).toEqual(broken);
      });

      it('claims a large batch in one call', async () => {
        const target = await createTarget();
        const count = 300;
        for (let i = 0; i < count; i += 1) await createDueSchedule(target, T0 - (i % 7) * second);

        const fires = await store.claimDueSchedules(claimInput(T0 + 500, { limit: 1_000 }));

        expect(fires).toHaveLength(count);
        expect(new Set(fires.map((fire) => fire.run.id)).size).toBe(count);
        expect((await store.countSchedulesByStatus()).ACTIVE).toBe(count);
        expect(await store.earliestNextRunAt()).toBeGreaterThan(T0);
        expect((await store.runStats()).running_runs).toBe(count);
      });
    });

    describe('runs', () => {
      it('insertRun returns the run as stored', async () => {
        const schedule = await createSchedule(await createTarget());
        const run = newRun(schedule, {
          attempt: 2,
          finished_at: new Date(T0 + second),
          status: 'FAILURE',
          status_code: 503,
          latency_ms: 12.5,
          response_size: 4_096,
          response_headers: { 'content-type': 'text/plain' },
          response_body: 'unavailable',
          truncated: true,
          error_type: 'HTTP_5XX',
          error_message: 'HTTP 503',
          catch_up: true,
          manual: false,
          missed_count: 3,
        });

        expect(await store.insertRun(run)).toEqual(run);
        expect(await store.getRun(run.id)).toEqual(run);
      });

      it('getRun returns null for an unknown id', async () => {
        expect(await store.getRun(newTarget().id)).toBeNull();
      });

      it('insertRun rejects a second run of the same slot and attempt', async () => {
        const schedule = await createSchedule(await createTarget());
        await store.insertRun(newRun(schedule, { scheduled_for: new Date(T0), attempt: 1 }));

        const duplicate = store.insertRun(newRun(schedule, { scheduled_for: new Date(T0), attempt: 1 }));

        await expect(duplicate).rejects.toBeInstanceOf(ConflictError);
        await expect(duplicate).rejects.toThrow(schedule.id);
      });

      it('insertRun accepts the next attempt of the same slot', async () => {
        const schedule = await createSchedule(await createTarget());
        await store.insertRun(newRun(schedule, { scheduled_for: new Date(T0), attempt: 1 }));

        const retry = await store.insertRun(newRun(schedule, { scheduled_for: new Date(T0), attempt: 2 }));

        expect(retry.attempt).toBe(2);
      });

      it('insertRun for an unknown schedule throws NotFoundError', async () => {
        const schedule = newSchedule(newTarget());

        const insert = store.insertRun(newRun(schedule));

        await expect(insert).rejects.toBeInstanceOf(NotFoundError);
        await expect(insert).rejects.toMatchObject({ entity: 'schedule', id: schedule.id });
      });

      it('finishRuns writes every outcome and ignores unknown ids', async () => {
        const schedule = await createSchedule(await createTarget());
        const ok = await store.insertRun(newRun(schedule, { scheduled_for: new Date(T0) }));
        const failed = await store.insertRun(newRun(schedule, { scheduled_for: new Date(T0 + minute) }));
        const untouched = await store.insertRun(newRun(schedule, { scheduled_for: new Date(T0 + 2 * minute) }));
        const success: RunResult = {
          id: ok.id,
          finished_at: new Date(T0 + second),
          status: 'SUCCESS',
          status_code: 200,
          latency_ms: 42.25,
          response_size: 2,
          response_headers: { 'content-type': 'application/json' },
          response_body: '{}',
          truncated: false,
          error_type: null,
          error_message: null,
        };
        const failure: RunResult = {
          id: failed.id,
          finished_at: new Date(T0 + minute + 10 * second),
          status: 'FAILURE',
          status_code: null,
          latency_ms: 10_000,
          response_size: null,
          response_headers: null,
          response_body: null,
          truncated: false,
          error_type: 'TIMEOUT',
          error_message: 'Timed out after 10000 ms',
        };

        await store.finishRuns([success, failure, { ...success, id: newTarget().id }]);

        expect(await store.getRun(ok.id)).toEqual({ ...ok, ...success });
        expect(await store.getRun(failed.id)).toEqual({ ...failed, ...failure });
        expect(await store.getRun(untouched.id)).toEqual(untouched);
      });

      it('finishRuns accepts an empty batch', async () => {
        await expect(store.finishRuns([])).resolves.toBeUndefined();
      });

      it('finishRuns keeps text and flags exactly', async () => {
        const schedule = await createSchedule(await createTarget());
        const run = await store.insertRun(newRun(schedule, { scheduled_for: new Date(T0) }));
        const outcome: RunResult = {
          id: run.id,
          finished_at: new Date(T0 + 1),
          status: 'FAILURE',
          status_code: 503,
          latency_ms: 0.125,
          response_size: 2 ** 40,
          response_headers: { 'x-quote': 'say "hi" \\ bye', 'x-unicode': 'naïve ✓ 日本 😀' },
          response_body: 'line 1\nline 2\t"quoted" \\ back\u0001 😀 ->> $[0]',
          truncated: true,
          error_type: 'HTTP_5XX',
          error_message: "Server responded with HTTP 503: it's 'down'",
        };

        await store.finishRuns([outcome]);

        expect(await store.getRun(run.id)).toEqual({ ...run, ...outcome });
      });

      it('interruptRunningRuns marks every RUNNING run', async () => {
        const schedule = await createSchedule(await createTarget());
        const mine = await store.insertRun(newRun(schedule, { scheduled_for: new Date(T0), instance_id: 'instance-a' }));
        const theirs = await store.insertRun(newRun(schedule, { scheduled_for: new Date(T0 + minute), instance_id: 'instance-b' }));
        const done = await store.insertRun(
          newRun(schedule, { scheduled_for: new Date(T0 + 2 * minute), status: 'SUCCESS', finished_at: new Date(T0 + 2 * minute) }),
        );
        const finishedAt = new Date(T0 + hour);

        const changed = await store.interruptRunningRuns({ finishedAt, message: 'The process stopped' });

        expect(changed).toBe(2);
        for (const run of [mine, theirs]) {
          expect(await store.getRun(run.id)).toEqual({
            ...run,
            status: 'FAILURE',
            error_type: 'INTERRUPTED',
            error_message: 'The process stopped',
            finished_at: finishedAt,
          });
        }
        expect(await store.getRun(done.id)).toEqual(done);
      });

      it('interruptRunningRuns limits itself to one instance', async () => {
        const schedule = await createSchedule(await createTarget());
        const mine = await store.insertRun(newRun(schedule, { scheduled_for: new Date(T0), instance_id: 'instance-a' }));
        const theirs = await store.insertRun(newRun(schedule, { scheduled_for: new Date(T0 + minute), instance_id: 'instance-b' }));

        const changed = await store.interruptRunningRuns({ finishedAt: new Date(T0 + hour), instanceId: 'instance-a', message: 'Shut down' });

        expect(changed).toBe(1);
        expect((await store.getRun(mine.id))?.status).toBe('FAILURE');
        expect(await store.getRun(theirs.id)).toEqual(theirs);
        expect(await store.interruptRunningRuns({ finishedAt: new Date(T0 + hour), instanceId: 'instance-a', message: 'again' })).toBe(0);
      });

      describe('instances and leases', () => {
        it('heartbeat inserts an instance, then renews its lease', async () => {
          await store.heartbeat({ instanceId: 'instance-a', now: new Date(T0), leaseMs: 30 * second });
          await store.heartbeat({ instanceId: 'instance-b', now: new Date(T0 + second), leaseMs: 30 * second });
          await store.heartbeat({ instanceId: 'instance-a', now: new Date(T0 + 10 * second), leaseMs: 30 * second });

          expect(await store.listInstances()).toEqual([
            { id: 'instance-a', started_at: new Date(T0), heartbeat_at: new Date(T0 + 10 * second), lease_expires_at: new Date(T0 + 40 * second) },
            { id: 'instance-b', started_at: new Date(T0 + second), heartbeat_at: new Date(T0 + second), lease_expires_at: new Date(T0 + 31 * second) },
          ]);
        });

        it('heartbeat rejects a lease that is not a positive integer', async () => {
          for (const leaseMs of [0, -1, 1.5, Number.NaN]) {
            await expect(store.heartbeat({ instanceId: 'instance-a', now: new Date(T0), leaseMs })).rejects.toThrow(RangeError);
          }
          expect(await store.listInstances()).toEqual([]);
        });

        it('reapExpiredInstances interrupts the runs of lapsed and unknown instances only', async () => {
          const schedule = await createSchedule(await createTarget());
          await store.heartbeat({ instanceId: 'live', now: new Date(T0), leaseMs: 30 * second });
          await store.heartbeat({ instanceId: 'lapsed', now: new Date(T0), leaseMs: 5 * second });
          const run = (instance_id: string, offset: number, overrides: Partial<Run> = {}) =>
            store.insertRun(newRun(schedule, { scheduled_for: new Date(T0 + offset * minute), instance_id, ...overrides }));
          const live = await run('live', 0);
          const lapsed = await run('lapsed', 1);
          const unknown = await run('never-registered', 2);
          const finished = await run('lapsed', 3, { status: 'SUCCESS', finished_at: new Date(T0) });
          const now = new Date(T0 + 10 * second);

          const result = await store.reapExpiredInstances({ now, message: 'Its instance stopped renewing its lease' });

          expect(result).toEqual({ instanceIds: ['lapsed', 'never-registered'], runs: 2 });
          for (const interrupted of [lapsed, unknown]) {
            expect(await store.getRun(interrupted.id)).toEqual({
              ...interrupted,
              status: 'FAILURE',
              error_type: 'INTERRUPTED',
              error_message: 'Its instance stopped renewing its lease',
              finished_at: now,
            });
          }
          expect(await store.getRun(live.id)).toEqual(live);
          expect(await store.getRun(finished.id)).toEqual(finished);
          expect((await store.listInstances()).map((instance) => instance.id)).toEqual(['live']);
          expect(await store.reapExpiredInstances({ now, message: 'again' })).toEqual({ instanceIds: [], runs: 0 });
        });

        it('reapExpiredInstances keeps a lease that expires exactly now', async () => {
          const schedule = await createSchedule(await createTarget());
          await store.heartbeat({ instanceId: 'instance-a', now: new Date(T0), leaseMs: 5 * second });
          const running = await store.insertRun(newRun(schedule, { instance_id: 'instance-a' }));

          expect(await store.reapExpiredInstances({ now: new Date(T0 + 5 * second), message: 'lapsed' })).toEqual({ instanceIds: [], runs: 0 });
          expect(await store.getRun(running.id)).toEqual(running);
          expect((await store.reapExpiredInstances({ now: new Date(T0 + 5 * second + 1), message: 'lapsed' })).runs).toBe(1);
        });

        it('removeInstance deletes the row and ignores unknown ids', async () => {
          await store.heartbeat({ instanceId: 'instance-a', now: new Date(T0), leaseMs: 5 * second });

          await store.removeInstance('instance-a');
          await store.removeInstance('instance-a');

          expect(await store.listInstances()).toEqual([]);
        });
      });

      describe('listRuns', () => {
        let first: Schedule;
        let second: Schedule;
        let runs: Run[];

        // Five runs one minute apart, oldest first: three of `first`, two of
        // `second` on another target; the last one still RUNNING.
        beforeEach(async () => {
          const target = await createTarget();
          const otherTarget = await createTarget();
          first = await createSchedule(target);
          second = await createSchedule(otherTarget);
          runs = [];
          const layout: [Schedule, Run['status']][] = [
            [first, 'SUCCESS'],
            [second, 'FAILURE'],
            [first, 'SUCCESS'],
            [second, 'SKIPPED'],
            [first, 'RUNNING'],
          ];
          for (const [index, [schedule, status]] of layout.entries()) {
            const at = new Date(T0 + index * minute);
            runs.push(await store.insertRun(newRun(schedule, { scheduled_for: at, started_at: at, status })));
          }
        });

        const ids = (items: Run[]): string[] => items.map((run) => run.id);

        it('lists newest first', async () => {
          const page = await store.listRuns({ limit: 10 });

          expect(ids(page.items)).toEqual(ids([...runs].reverse()));
          expect(page.next_cursor).toBeNull();
        });

        it('pages with cursors', async () => {
          const firstPage = await store.listRuns({ limit: 2 });
          const secondPage = await store.listRuns({ limit: 2, cursor: firstPage.next_cursor! });
          const lastPage = await store.listRuns({ limit: 2, cursor: secondPage.next_cursor! });

          expect(ids(firstPage.items)).toEqual([runs[4]!.id, runs[3]!.id]);
          expect(ids(secondPage.items)).toEqual([runs[2]!.id, runs[1]!.id]);
          expect(ids(lastPage.items)).toEqual([runs[0]!.id]);
          expect(lastPage.next_cursor).toBeNull();
        });

        it('filters by schedule', async () => {
          const page = await store.listRuns({ limit: 10, schedule_id: first.id });

          expect(ids(page.items)).toEqual([runs[4]!.id, runs[2]!.id, runs[0]!.id]);
        });

        it('filters by target', async () => {
          const page = await store.listRuns({ limit: 10, target_id: second.target_id });

          expect(ids(page.items)).toEqual([runs[3]!.id, runs[1]!.id]);
        });

        it('filters by status', async () => {
          const page = await store.listRuns({ limit: 10, status: 'SUCCESS' });

          expect(ids(page.items)).toEqual([runs[2]!.id, runs[0]!.id]);
        });

        it('filters by since inclusive and until exclusive', async () => {
          const page = await store.listRuns({ limit: 10, since: new Date(T0 + minute), until: new Date(T0 + 3 * minute) });

          expect(ids(page.items)).toEqual([runs[2]!.id, runs[1]!.id]);
        });

        it('combines filters with paging', async () => {
          const filter = { schedule_id: first.id, since: new Date(T0 + minute) };
          const firstPage = await store.listRuns({ limit: 1, ...filter });
          const lastPage = await store.listRuns({ limit: 1, ...filter, cursor: firstPage.next_cursor! });

          expect(ids(firstPage.items)).toEqual([runs[4]!.id]);
          expect(ids(lastPage.items)).toEqual([runs[2]!.id]);
          expect(lastPage.next_cursor).toBeNull();
        });

        it('rejects an invalid cursor at loc cursor', async () => {
          const list = store.listRuns({ limit: 2, cursor: '%%%' });

          await expect(list).rejects.toBeInstanceOf(ValidationError);
          await expect(list).rejects.toMatchObject({ issues: [{ loc: ['cursor'] }] });
        });
      });

      it('runStats of an empty store is all zero', async () => {
        expect(await store.runStats()).toEqual({
          total_runs: 0,
          success_runs: 0,
          failure_runs: 0,
          skipped_runs: 0,
          running_runs: 0,
          avg_latency_ms: null,
        });
      });

      it('runStats counts by status and averages finished latency', async () => {
        const schedule = await createSchedule(await createTarget());
        const finished = { finished_at: new Date(T0 + second) };
        const outcomes: Partial<Run>[] = [
          { status: 'SUCCESS', latency_ms: 100, ...finished },
          { status: 'SUCCESS', latency_ms: 300, ...finished },
          { status: 'FAILURE', latency_ms: 200, ...finished },
          { status: 'FAILURE', latency_ms: null, ...finished },
          { status: 'SKIPPED', ...finished },
          { status: 'RUNNING' },
        ];
        for (const [index, outcome] of outcomes.entries()) {
          await store.insertRun(newRun(schedule, { scheduled_for: new Date(T0 + index * minute), ...outcome }));
        }

        expect(await store.runStats()).toEqual({
          total_runs: 6,
          success_runs: 2,
          failure_runs: 2,
          skipped_runs: 1,
          running_runs: 1,
          avg_latency_ms: 200,
        });
      });
    });

    describe('dashboard queries', () => {
      /** Inserts finished runs of `schedule` that start `offsetMs` after T0, one per entry, a second apart. */
      async function insertFinished(schedule: Schedule, offsetMs: number, outcomes: Partial<Run>[]): Promise<Run[]> {
        const inserted: Run[] = [];
        for (const [index, outcome] of outcomes.entries()) {
          const at = new Date(T0 + offsetMs + index * second);
          inserted.push(await store.insertRun(newRun(schedule, { scheduled_for: at, started_at: at, finished_at: at, status: 'SUCCESS', ...outcome })));
        }
        return inserted;
      }

      it('runWindowStats of an empty window is zero and null', async () => {
        expect(await store.runWindowStats({ since: new Date(T0), until: new Date(T0 + hour) })).toEqual({
          total_runs: 0,
          success_runs: 0,
          failure_runs: 0,
          skipped_runs: 0,
          latency_p50_ms: null,
          latency_p95_ms: null,
          per_minute: [],
        });
      });

      it('runWindowStats counts by status and minute inside the window only', async () => {
        const schedule = await createSchedule(await createTarget());
        // Before the window, at its start, in its 3rd minute, and at its end (exclusive).
        await insertFinished(schedule, -second, [{ status: 'FAILURE' }]);
        await insertFinished(schedule, 0, [{ status: 'SUCCESS' }, { status: 'FAILURE' }, { status: 'SKIPPED' }]);
        await insertFinished(schedule, 2 * minute + 30 * second, [{ status: 'SUCCESS' }, { status: 'SUCCESS' }]);
        await insertFinished(schedule, hour, [{ status: 'SUCCESS' }]);
        const running = new Date(T0 + 5 * minute);
        await store.insertRun(newRun(schedule, { scheduled_for: running, started_at: running }));

        const stats = await store.runWindowStats({ since: new Date(T0), until: new Date(T0 + hour) });

        expect(stats.total_runs).toBe(6);
        expect(stats.success_runs).toBe(3);
        expect(stats.failure_runs).toBe(1);
        expect(stats.skipped_runs).toBe(1);
        expect(stats.per_minute).toEqual([
          { minute: new Date(T0), success: 1, failure: 1, skipped: 1 },
          { minute: new Date(T0 + 2 * minute), success: 2, failure: 0, skipped: 0 },
        ]);
      });

      it('runWindowStats takes nearest-rank latency percentiles', async () => {
        const schedule = await createSchedule(await createTarget());
        // 1..20 ms shuffled, plus runs without a latency that do not count.
        const latencies = [7, 3, 20, 1, 15, 9, 12, 5, 18, 2, 11, 4, 16, 8, 19, 6, 14, 10, 17, 13];
        await insertFinished(
          schedule,
          0,
          latencies.map((latency_ms) => ({ latency_ms })),
        );
        await insertFinished(schedule, minute, [{ status: 'SKIPPED', latency_ms: null }, { status: 'FAILURE', latency_ms: null }]);
        const running = new Date(T0 + 2 * minute);
        await store.insertRun(newRun(schedule, { scheduled_for: running, started_at: running, latency_ms: 1_000 }));

        const stats = await store.runWindowStats({ since: new Date(T0), until: new Date(T0 + hour) });

        // Rank ceil(0.5·20) = 10 and ceil(0.95·20) = 19.
        expect(stats.latency_p50_ms).toBe(10);
        expect(stats.latency_p95_ms).toBe(19);
      });

      it('runWindowStats of one latency returns it for both percentiles', async () => {
        const schedule = await createSchedule(await createTarget());
        await insertFinished(schedule, 0, [{ latency_ms: 42.5 }]);

        const stats = await store.runWindowStats({ since: new Date(T0), until: new Date(T0 + hour) });

        expect(stats.latency_p50_ms).toBe(42.5);
        expect(stats.latency_p95_ms).toBe(42.5);
      });

      it('scheduleRunSamples counts all and returns the newest first', async () => {
        const target = await createTarget();
        const schedule = await createSchedule(target);
        const other = await createSchedule(target);
        const runs = await insertFinished(
          schedule,
          0,
          [10, 20, 30, 40].map((latency_ms) => ({ latency_ms })),
        );
        await insertFinished(other, 0, [{ latency_ms: 99 }]);

        const samples = await store.scheduleRunSamples(schedule.id, 3);

        expect(samples.total_runs).toBe(4);
        expect(samples.recent).toEqual(
          runs
            .slice(1)
            .reverse()
            .map((run) => ({ id: run.id, started_at: run.started_at, latency_ms: run.latency_ms, status: run.status })),
        );
        expect(await store.scheduleRunSamples(newTarget().id, 3)).toEqual({ total_runs: 0, recent: [] });
      });

      it('listNextFires lists ACTIVE schedules by next_run_at', async () => {
        const target = await createTarget();
        const late = await createDueSchedule(target, T0 + 2 * hour);
        const early = await createDueSchedule(target, T0 + hour);
        await createDueSchedule(target, T0, { status: 'PAUSED' });
        await createDueSchedule(target, T0, { status: 'COMPLETED', next_run_at: null });

        expect(await store.listNextFires(10)).toEqual([
          { schedule_id: early.id, name: early.name, at: new Date(T0 + hour) },
          { schedule_id: late.id, name: late.name, at: new Date(T0 + 2 * hour) },
        ]);
        expect(await store.listNextFires(1)).toHaveLength(1);
      });

      it('getRuns returns the known runs of a list of ids', async () => {
        const schedule = await createSchedule(await createTarget());
        const runs = await insertFinished(schedule, 0, [{}, {}, {}]);

        const found = await store.getRuns([runs[2]!.id, newTarget().id, runs[0]!.id]);

        expect(found.map((run) => run.id).sort()).toEqual([runs[0]!.id, runs[2]!.id].sort());
        expect(found.find((run) => run.id === runs[0]!.id)).toEqual(runs[0]);
        expect(await store.getRuns([])).toEqual([]);
      });

      it('listRunsAfter returns later ids oldest first', async () => {
        const schedule = await createSchedule(await createTarget());
        const runs = await insertFinished(schedule, 0, [{}, {}, {}, {}]);

        expect((await store.listRunsAfter(runs[0]!.id, 2)).map((run) => run.id)).toEqual([runs[1]!.id, runs[2]!.id]);
        expect(await store.listRunsAfter(runs[3]!.id, 10)).toEqual([]);
      });
    });

    describe('pruneRuns', () => {
      const day = 24 * hour;

      /** Inserts one run per entry, oldest id first, each started `ago` ms before T0 with the given status. */
      async function insertRuns(schedule: Schedule, layout: [Run['status'], number][]): Promise<Run[]> {
        const inserted: Run[] = [];
        for (const [status, ago] of layout) {
          const startedAt = new Date(T0 - ago);
          const finishedAt = status === 'RUNNING' ? null : new Date(T0 - ago + second);
          inserted.push(await store.insertRun(newRun(schedule, { scheduled_for: startedAt, started_at: startedAt, status, finished_at: finishedAt })));
        }
        return inserted;
      }

      /** Ids of a schedule's runs, oldest first. */
      async function runIdsOf(schedule: Schedule): Promise<string[]> {
        return (await store.listRuns({ limit: 1_000, schedule_id: schedule.id })).items.map((run) => run.id).reverse();
      }

      const ids = (items: Run[]): string[] => items.map((run) => run.id);

      it('by age deletes finished runs started before olderThan', async () => {
        const schedule = await createSchedule(await createTarget());
        const runs = await insertRuns(schedule, [
          ['SUCCESS', 4 * hour],
          ['FAILURE', 3 * hour],
          ['SKIPPED', 2 * hour],
          ['SUCCESS', hour],
          ['SUCCESS', minute],
        ]);

        const deleted = await store.pruneRuns({ olderThan: new Date(T0 - hour), keepPerSchedule: null, limit: 100 });

        expect(deleted).toBe(3);
        // A run that started exactly at olderThan is kept.
        expect(await runIdsOf(schedule)).toEqual(ids(runs.slice(3)));
      });

      it('by count keeps the newest runs of a schedule', async () => {
        const schedule = await createSchedule(await createTarget());
        const runs = await insertRuns(schedule, [
          ['SUCCESS', 5 * minute],
          ['FAILURE', 4 * minute],
          ['SKIPPED', 3 * minute],
          ['SUCCESS', 2 * minute],
          ['SUCCESS', minute],
        ]);

        const deleted = await store.pruneRuns({ olderThan: null, keepPerSchedule: 2, limit: 100 });

        expect(deleted).toBe(3);
        expect(await runIdsOf(schedule)).toEqual(ids(runs.slice(3)));
      });

      it('by count ranks runs by id, not by started_at', async () => {
        const schedule = await createSchedule(await createTarget());
        // The newest id has the oldest started_at, as a late retry might.
        const runs = await insertRuns(schedule, [
          ['SUCCESS', 3 * minute],
          ['SUCCESS', 2 * minute],
          ['SUCCESS', day],
        ]);

        expect(await store.pruneRuns({ olderThan: null, keepPerSchedule: 1, limit: 100 })).toBe(2);

        expect(await runIdsOf(schedule)).toEqual([runs[2]!.id]);
      });

      it('with keepPerSchedule 0 deletes every finished run', async () => {
        const schedule = await createSchedule(await createTarget());
        const runs = await insertRuns(schedule, [
          ['SUCCESS', 2 * minute],
          ['RUNNING', minute],
        ]);

        expect(await store.pruneRuns({ olderThan: null, keepPerSchedule: 0, limit: 100 })).toBe(1);

        expect(await runIdsOf(schedule)).toEqual([runs[1]!.id]);
      });

      it('applies both rules together', async () => {
        const target = await createTarget();
        const busy = await createSchedule(target);
        const quiet = await createSchedule(target);
        const busyRuns = await insertRuns(busy, [
          ['SUCCESS', 4 * minute],
          ['SUCCESS', 3 * minute],
          ['SUCCESS', 2 * minute],
          ['SUCCESS', minute],
        ]);
        const quietRuns = await insertRuns(quiet, [
          ['SUCCESS', 2 * day],
          ['SUCCESS', minute],
        ]);

        const deleted = await store.pruneRuns({ olderThan: new Date(T0 - day), keepPerSchedule: 2, limit: 100 });

        expect(deleted).toBe(3);
        expect(await runIdsOf(busy)).toEqual(ids(busyRuns.slice(2)));
        expect(await runIdsOf(quiet)).toEqual([quietRuns[1]!.id]);
      });

      it('never deletes RUNNING runs', async () => {
        const target = await createTarget();
        const stuck = await createSchedule(target);
        const active = await createSchedule(target);
        // An old RUNNING run that both rules would otherwise delete.
        const stuckRuns = await insertRuns(stuck, [
          ['RUNNING', 2 * day],
          ['SUCCESS', 3 * minute],
          ['SUCCESS', 2 * minute],
          ['SUCCESS', minute],
        ]);
        // A RUNNING run counts toward the newest runs it keeps.
        const activeRuns = await insertRuns(active, [
          ['SUCCESS', 3 * minute],
          ['SUCCESS', 2 * minute],
          ['SUCCESS', minute],
          ['RUNNING', 0],
        ]);

        const deleted = await store.pruneRuns({ olderThan: new Date(T0 - day), keepPerSchedule: 2, limit: 100 });

        expect(deleted).toBe(3);
        expect(await runIdsOf(stuck)).toEqual([stuckRuns[0]!.id, stuckRuns[2]!.id, stuckRuns[3]!.id]);
        expect(await runIdsOf(active)).toEqual(ids(activeRuns.slice(2)));
        expect(await store.getRun(stuckRuns[0]!.id)).toEqual(stuckRuns[0]);
      });

      it('honours the limit of the age rule, oldest first', async () => {
        const schedule = await createSchedule(await createTarget());
        const runs = await insertRuns(schedule, [
          ['SUCCESS', 6 * day],
          ['SUCCESS', 5 * day],
          ['SUCCESS', 4 * day],
          ['SUCCESS', 3 * day],
          ['SUCCESS', 2 * day],
          ['SUCCESS', minute],
        ]);
        const input = { olderThan: new Date(T0 - day), keepPerSchedule: null, limit: 2 };

        expect(await store.pruneRuns(input)).toBe(2);
        expect(await runIdsOf(schedule)).toEqual(ids(runs.slice(2)));
        expect(await store.pruneRuns(input)).toBe(2);
        expect(await store.pruneRuns(input)).toBe(1);
        expect(await store.pruneRuns(input)).toBe(0);
        expect(await runIdsOf(schedule)).toEqual([runs[5]!.id]);
      });

      it('honours the limit of the count rule across schedules', async () => {
        const target = await createTarget();
        const schedules: Schedule[] = [];
        const newest: string[] = [];
        for (let i = 0; i < 3; i += 1) {
          const schedule = await createSchedule(target);
          const runs = await insertRuns(schedule, [
            ['SUCCESS', 4 * minute],
            ['SUCCESS', 3 * minute],
            ['SUCCESS', 2 * minute],
            ['SUCCESS', minute],
          ]);
          schedules.push(schedule);
          newest.push(runs[3]!.id);
        }
        const input = { olderThan: null, keepPerSchedule: 1, limit: 4 };

        const deletedPerCall: number[] = [];
        for (let call = 0; call < 4; call += 1) deletedPerCall.push(await store.pruneRuns(input));

        expect(deletedPerCall).toEqual([4, 4, 1, 0]);
        for (const [index, schedule] of schedules.entries()) {
          expect(await runIdsOf(schedule)).toEqual([newest[index]]);
        }
      });

      it('counts runs deleted by age toward the limit', async () => {
        const schedule = await createSchedule(await createTarget());
        await insertRuns(schedule, [
          ['SUCCESS', 3 * day],
          ['SUCCESS', 2 * day],
          ['SUCCESS', 2 * minute],
          ['SUCCESS', minute],
        ]);
        const input = { olderThan: new Date(T0 - day), keepPerSchedule: 1, limit: 2 };

        expect(await store.pruneRuns(input)).toBe(2);
        expect(await store.pruneRuns(input)).toBe(1);
        expect(await store.pruneRuns(input)).toBe(0);
        expect(await runIdsOf(schedule)).toHaveLength(1);
      });

      it('leaves schedules within the count untouched', async () => {
        const target = await createTarget();
        const busy = await createSchedule(target);
        const quiet = await createSchedule(target);
        await insertRuns(busy, [
          ['SUCCESS', 3 * minute],
          ['SUCCESS', 2 * minute],
          ['SUCCESS', minute],
        ]);
        const quietRuns = await insertRuns(quiet, [
          ['FAILURE', 2 * minute],
          ['SUCCESS', minute],
        ]);

        expect(await store.pruneRuns({ olderThan: null, keepPerSchedule: 2, limit: 100 })).toBe(1);

        for (const run of quietRuns) expect(await store.getRun(run.id)).toEqual(run);
        expect(await runIdsOf(busy)).toHaveLength(2);
      });

      it('deletes nothing with both rules off or a limit of 0', async () => {
        const schedule = await createSchedule(await createTarget());
        await insertRuns(schedule, [
          ['SUCCESS', 2 * day],
          ['SUCCESS', day],
        ]);

        expect(await store.pruneRuns({ olderThan: null, keepPerSchedule: null, limit: 100 })).toBe(0);
        expect(await store.pruneRuns({ olderThan: new Date(T0), keepPerSchedule: 0, limit: 0 })).toBe(0);
        expect(await runIdsOf(schedule)).toHaveLength(2);
      });

      it('rejects a negative or fractional limit or count', async () => {
        for (const input of [
          { olderThan: null, keepPerSchedule: null, limit: -1 },
          { olderThan: null, keepPerSchedule: null, limit: 1.5 },
          { olderThan: null, keepPerSchedule: -1, limit: 10 },
          { olderThan: null, keepPerSchedule: 0.5, limit: 10 },
        ]) {
          await expect(store.pruneRuns(input)).rejects.toBeInstanceOf(RangeError);
        }
      });
    });

    describe('api keys', () => {
      function newApiKey(overrides: Partial<StoredApiKey> = {}): { key: string; stored: StoredApiKey } {
        const generated = generateApiKey();
        const stored: StoredApiKey = {
          id: newId(T0),
          name: 'ci',
          prefix: generated.prefix,
          hash: generated.hash,
          scope: 'write',
          created_at: new Date(T0),
          last_used_at: null,
          revoked_at: null,
          ...overrides,
        };
        return { key: generated.key, stored };
      }

      it('createApiKey returns the key without its hash', async () => {
        const { stored } = newApiKey();

        const created = await store.createApiKey(stored);

        const { hash: _hash, ...listed } = stored;
        expect(created).toEqual(listed);
        expect(created).not.toHaveProperty('hash');
      });

      it('findApiKeyByPrefix returns the hash that matches the key', async () => {
        const { key, stored } = newApiKey();
        await store.createApiKey(stored);

        const found = await store.findApiKeyByPrefix(stored.prefix);

        expect(found).toEqual(stored);
        expect(apiKeyMatches(key, found!.hash)).toBe(true);
        expect(await store.findApiKeyByPrefix('000000000000')).toBeNull();
      });

      it('rejects a second key with the same prefix', async () => {
        const { stored } = newApiKey();
        await store.createApiKey(stored);

        await expect(store.createApiKey({ ...stored, id: newId(T0) })).rejects.toBeInstanceOf(ConflictError);
      });

      it('listApiKeys lists every key oldest first, without hashes', async () => {
        const first = newApiKey({ id: newId(T0), name: 'first', scope: 'read' }).stored;
        const later = newApiKey({ id: newId(T0 + second), name: 'second', scope: 'admin' }).stored;
        await store.createApiKey(later);
        await store.createApiKey(first);
        await store.revokeApiKey(first.id, new Date(T0 + minute));

        const keys = await store.listApiKeys();

        expect(keys.map((key) => key.name)).toEqual(['first', 'second']);
        expect(keys.map((key) => key.scope)).toEqual(['read', 'admin']);
        for (const key of keys) expect(key).not.toHaveProperty('hash');
        expect(keys[0]!.revoked_at).toEqual(new Date(T0 + minute));
      });

      it('countActiveApiKeys leaves out revoked keys', async () => {
        expect(await store.countActiveApiKeys()).toBe(0);
        const kept = newApiKey().stored;
        const revoked = newApiKey().stored;
        await store.createApiKey(kept);
        await store.createApiKey(revoked);

        await store.revokeApiKey(revoked.id, new Date(T0 + minute));

        expect(await store.countActiveApiKeys()).toBe(1);
      });

      it('revokeApiKey keeps the first revocation time', async () => {
        const { stored } = newApiKey();
        await store.createApiKey(stored);

        const first = await store.revokeApiKey(stored.id, new Date(T0 + minute));
        const again = await store.revokeApiKey(stored.id, new Date(T0 + hour));

        expect(first.revoked_at).toEqual(new Date(T0 + minute));
        expect(again.revoked_at).toEqual(new Date(T0 + minute));
        expect((await store.findApiKeyByPrefix(stored.prefix))!.revoked_at).toEqual(new Date(T0 + minute));
      });

      it('revokeApiKey throws NotFoundError for an unknown id', async () => {
        await expect(store.revokeApiKey(newId(T0), new Date(T0))).rejects.toBeInstanceOf(NotFoundError);
      });

      it('touchApiKey only moves last_used_at forward', async () => {
        const { stored } = newApiKey();
        await store.createApiKey(stored);

        await store.touchApiKey(stored.id, new Date(T0 + hour));
        await store.touchApiKey(stored.id, new Date(T0 + minute));

        expect((await store.getApiKey(stored.id))!.last_used_at).toEqual(new Date(T0 + hour));
        await store.touchApiKey(newId(T0), new Date(T0));
        expect(await store.getApiKey(newId(T0))).toBeNull();
      });
    });

    describe('alerts', () => {
      const hook = { webhook_url: 'http://127.0.0.1:9/hook', format: 'json' as const, after_consecutive_failures: 3, silence_after_seconds: 60 };

      async function outcome(schedule: Schedule, result: 'SUCCESS' | 'FAILURE', at: number) {
        return store.recordAlertOutcome({ scheduleId: schedule.id, runId: newId(at), outcome: result, now: new Date(at), notificationId: newId(at) });
      }

      it('recordAlertOutcome makes one notification per change of state', async () => {
        const schedule = await createSchedule(await createTarget(), { overrides: { alert: hook } });

        const events = [];
        for (const [index, result] of (['FAILURE', 'FAILURE', 'FAILURE', 'FAILURE', 'SUCCESS', 'SUCCESS', 'FAILURE'] as const).entries()) {
          events.push((await outcome(schedule, result, T0 + index * second))?.event ?? null);
        }

        expect(events).toEqual([null, null, 'schedule.failing', null, 'schedule.recovered', null, null]);
        expect(await store.getSchedule(schedule.id)).toMatchObject({ alert_state: 'OK', alert_failures: 1, alert_changed_at: new Date(T0 + 4 * second) });
        const listed = await store.listAlertNotifications(schedule.id, 10);
        expect(listed.map((notification) => [notification.event, notification.previous_state, notification.failures])).toEqual([
          ['schedule.recovered', 'FAILING', 4],
          ['schedule.failing', 'OK', 3],
        ]);
        expect(listed[1]).toMatchObject({ delivery: 'PENDING', attempts: 0, next_attempt_at: new Date(T0 + 2 * second), lease_until: null, overdue_run_at: null });
      });

      it('recordAlertOutcome counts outcomes recorded at once exactly', async () => {
        const schedule = await createSchedule(await createTarget(), { overrides: { alert: hook } });

        const notifications = await Promise.all(Array.from({ length: 10 }, (_, index) => outcome(schedule, 'FAILURE', T0 + index)));

        expect(notifications.filter((notification) => notification !== null).map((notification) => notification!.event)).toEqual(['schedule.failing']);
        expect(await store.getSchedule(schedule.id)).toMatchObject({ alert_state: 'FAILING', alert_failures: 10 });
      });

      it('recordAlertOutcome ignores schedules without an alert and unknown schedules', async () => {
        const schedule = await createSchedule(await createTarget());

        expect(await outcome(schedule, 'FAILURE', T0)).toBeNull();
        expect(await store.recordAlertOutcome({ scheduleId: newId(T0), runId: newId(T0), outcome: 'FAILURE', now: new Date(T0), notificationId: newId(T0) })).toBeNull();
        expect(await store.getSchedule(schedule.id)).toMatchObject({ alert_state: 'OK', alert_failures: 0 });
      });

      it('markSilentSchedules marks only ACTIVE schedules overdue by their silence_after_seconds, once', async () => {
        const target = await createTarget();
        const due = T0 - 60 * second;
        const silent = await createDueSchedule(target, due, { alert: hook });
        const notYet = await createDueSchedule(target, due + 1, { alert: hook });
        await createDueSchedule(target, due, { alert: { ...hook, silence_after_seconds: null } });
        await createDueSchedule(target, due, { alert: null });
        await createDueSchedule(target, due, { alert: hook, status: 'PAUSED' });
        await createSchedule(target, { overrides: { alert: hook, status: 'COMPLETED', next_run_at: null } });

        const notifications = await store.markSilentSchedules({ now: new Date(T0), newId: () => newId(T0) });

        expect(notifications.map((notification) => [notification.schedule_id, notification.event, notification.previous_state])).toEqual([[silent.id, 'schedule.silent', 'OK']]);
        expect(notifications[0]).toMatchObject({ overdue_run_at: new Date(due), run_id: null, created_at: new Date(T0) });
        expect(await store.getSchedule(silent.id)).toMatchObject({ alert_state: 'SILENT', alert_changed_at: new Date(T0) });
        expect(await store.getSchedule(notYet.id)).toMatchObject({ alert_state: 'OK' });
        expect(await store.markSilentSchedules({ now: new Date(T0), newId: () => newId(T0) })).toEqual([]);
        expect((await store.markSilentSchedules({ now: new Date(T0 + 1), newId: () => newId(T0) })).map((notification) => notification.schedule_id)).toEqual([notYet.id]);
      });

      it('claimAlertNotifications holds what it returns and keeps each schedule in order', async () => {
        const target = await createTarget();
        const first = await createSchedule(target, { overrides: { alert: { ...hook, after_consecutive_failures: 1 } } });
        const other = await createSchedule(target, { overrides: { alert: { ...hook, after_consecutive_failures: 1 } } });
        const failing = (await outcome(first, 'FAILURE', T0))!;
        const recovered = (await outcome(first, 'SUCCESS', T0 + second))!;
        const otherFailing = (await outcome(other, 'FAILURE', T0 + 2 * second))!;
        const now = new Date(T0 + minute);

        const claimed = await store.claimAlertNotifications({ now, leaseMs: 10_000, limit: 10 });

        // The recovery of `first` waits until its failing notification is sent.
        expect(claimed.map((notification) => notification.id)).toEqual([failing.id, otherFailing.id]);
        expect(claimed[0]!.lease_until).toEqual(new Date(now.getTime() + 10_000));
        expect(claimed.map((notification) => notification.attempts)).toEqual([1, 1]);
        expect(await store.claimAlertNotifications({ now, leaseMs: 10_000, limit: 10 })).toEqual([]);

        await store.finishAlertNotification({ id: failing.id, now, delivered: true, error: null, retryAt: null });
        await store.finishAlertNotification({ id: otherFailing.id, now, delivered: false, error: 'The webhook answered HTTP 502', retryAt: new Date(now.getTime() + second) });
        expect((await store.claimAlertNotifications({ now, leaseMs: 10_000, limit: 10 })).map((notification) => notification.id)).toEqual([recovered.id]);

        const later = new Date(now.getTime() + second);
        const retried = await store.claimAlertNotifications({ now: later, leaseMs: 10_000, limit: 10 });
        expect(retried.map((notification) => [notification.id, notification.attempts, notification.last_error])).toEqual([[otherFailing.id, 2, 'The webhook answered HTTP 502']]);
        await store.finishAlertNotification({ id: otherFailing.id, now: later, delivered: false, error: 'The webhook answered HTTP 502', retryAt: null });

        expect((await store.listAlertNotifications(first.id, 10)).map((notification) => notification.delivery)).toEqual(['PENDING', 'DELIVERED']);
        expect(await store.listAlertNotifications(other.id, 10)).toMatchObject([{ delivery: 'FAILED', attempts: 2, last_error: 'The webhook answered HTTP 502' }]);
        expect((await store.listAlertNotifications(first.id, 10))[1]).toMatchObject({ delivered_at: now, attempts: 1, lease_until: null });
      });

      it('a lapsed lease lets another claim take the notification', async () => {
        const schedule = await createSchedule(await createTarget(), { overrides: { alert: { ...hook, after_consecutive_failures: 1 } } });
        const failing = (await outcome(schedule, 'FAILURE', T0))!;

        await store.claimAlertNotifications({ now: new Date(T0), leaseMs: 5_000, limit: 10 });

        expect(await store.claimAlertNotifications({ now: new Date(T0 + 4_999), leaseMs: 5_000, limit: 10 })).toEqual([]);
        expect((await store.claimAlertNotifications({ now: new Date(T0 + 5_001), leaseMs: 5_000, limit: 10 })).map((notification) => notification.id)).toEqual([failing.id]);
      });

      it('deleting a schedule deletes its notifications', async () => {
        const schedule = await createSchedule(await createTarget(), { overrides: { alert: { ...hook, after_consecutive_failures: 1 } } });
        await outcome(schedule, 'FAILURE', T0);

        await store.deleteSchedule(schedule.id);

        expect(await store.listAlertNotifications(schedule.id, 10)).toEqual([]);
        expect(await store.claimAlertNotifications({ now: new Date(T0 + hour), leaseMs: 5_000, limit: 10 })).toEqual([]);
      });
    });
  });
}
