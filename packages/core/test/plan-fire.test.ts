import { beforeEach, describe, expect, it } from 'vitest';

import { FakeClock, firstRunAt, planFire } from '../src/index.js';
import type { CronConfig, IntervalConfig, MisfirePolicy, OnceConfig, PlanInput, PlannedFire, WindowConfig } from '../src/index.js';

const second = 1_000;
const minute = 60_000;
const hour = 3_600_000;

const anchor = Date.parse('2026-01-15T12:00:00.000Z');
const at = (offsetMs: number): number => anchor + offsetMs;

// Slots at 12:00, 12:01, 12:02, … from the anchor on.
const everyMinute: IntervalConfig = { interval_seconds: 60, start_time: '2026-01-15T12:00:00.000Z' };

// Eleven slots, 12:00 to 12:10 inclusive, at most five fires.
const tenMinuteWindow: WindowConfig = {
  start_time: '2026-01-15T12:00:00.000Z',
  end_time: '2026-01-15T12:10:00.000Z',
  interval_seconds: 60,
  max_runs: 5,
};
const windowEnd = Date.parse(tenMinuteWindow.end_time);

const options = { misfireGraceMs: 5 * second, fireAllLimit: 3 };

function intervalInput(misfirePolicy: MisfirePolicy, due: number, runCount = 0): PlanInput {
  return { schedule_type: 'INTERVAL', schedule_config: everyMinute, misfire_policy: misfirePolicy, run_count: runCount, next_run_at: due };
}

function windowInput(misfirePolicy: MisfirePolicy, due: number, runCount: number, config: WindowConfig = tenMinuteWindow): PlanInput {
  return { schedule_type: 'WINDOW', schedule_config: config, misfire_policy: misfirePolicy, run_count: runCount, next_run_at: due };
}

function fire(scheduledFor: number, extra: Partial<PlannedFire> = {}): PlannedFire {
  return { scheduledFor, catchUp: false, missedCount: 0, skipped: false, ...extra };
}

let clock: FakeClock;

beforeEach(() => {
  clock = new FakeClock(anchor);
});

describe('planFire on time', () => {
  it.each([
    ['exactly on time', 0],
    ['1 ms late', 1],
    ['late within the grace', 4_999],
    ['late by exactly the grace', 5_000],
  ])('%s fires as planned', (_case, lateness) => {
    const due = at(minute);
    clock.set(due);
    clock.advance(lateness);

    for (const policy of ['fire_once', 'fire_all', 'skip'] as const) {
      const plan = planFire(intervalInput(policy, due, 7), clock.now(), options);

      expect(plan.fires).toEqual([fire(due)]);
      expect(plan.nextRunAt).toBe(at(2 * minute));
      expect(plan.runCount).toBe(8);
      expect(plan.status).toBe('ACTIVE');
    }
  });

  it('early wake-up fires the due slot', () => {
    const due = at(minute);
    clock.set(due - 3);

    const plan = planFire(intervalInput('fire_once', due), clock.now(), options);

    expect(plan.fires).toEqual([fire(due)]);
    expect(plan.nextRunAt).toBe(at(2 * minute));
  });
});

describe('planFire late beyond the grace, one slot due', () => {
  // 30 s late: past the 5 s grace, but the next slot (12:02) is not due yet.
  it.each([
    ['fire_once', [fire(at(minute), { catchUp: true })], 1],
    ['fire_all', [fire(at(minute), { catchUp: true })], 1],
    ['skip', [fire(at(minute), { catchUp: true, skipped: true })], 0],
  ] as const)('%s', (policy, expectedFires, expectedRunCount) => {
    clock.set(at(minute + 30 * second));

    const plan = planFire(intervalInput(policy, at(minute)), clock.now(), options);

    expect(plan.fires).toEqual(expectedFires);
    expect(plan.nextRunAt).toBe(at(2 * minute));
    expect(plan.runCount).toBe(expectedRunCount);
    expect(plan.status).toBe('ACTIVE');
  });
});

describe('planFire after 10 minutes of downtime', () => {
  // Due at 12:01; the process comes back at 12:11:30. Eleven slots are due,
  // 12:01 through 12:11, and the next slot on the grid is 12:12.
  const due = at(minute);
  const back = at(11 * minute + 30 * second);

  it('fire_once fires the latest slot', () => {
    clock.set(back);

    const plan = planFire(intervalInput('fire_once', due, 1), clock.now(), options);

    expect(plan.fires).toEqual([fire(at(11 * minute), { catchUp: true, missedCount: 10 })]);
    expect(plan.nextRunAt).toBe(at(12 * minute));
    expect(plan.runCount).toBe(2);
    expect(plan.status).toBe('ACTIVE');
  });

  it('fire_all fires oldest slots up to the limit', () => {
    clock.set(back);

    const plan = planFire(intervalInput('fire_all', due, 1), clock.now(), options);

    expect(plan.fires).toEqual([
      fire(at(minute), { catchUp: true }),
      fire(at(2 * minute), { catchUp: true }),
      fire(at(3 * minute), { catchUp: true, missedCount: 8 }),
    ]);
    expect(plan.nextRunAt).toBe(at(12 * minute));
    expect(plan.runCount).toBe(4);
    expect(plan.status).toBe('ACTIVE');
  });

  it('fire_all fires every slot under a high limit', () => {
    clock.set(back);

    const plan = planFire(intervalInput('fire_all', due), clock.now(), { ...options, fireAllLimit: 100 });

    expect(plan.fires.map((planned) => planned.scheduledFor)).toEqual(Array.from({ length: 11 }, (_, k) => at((k + 1) * minute)));
    expect(plan.fires.every((planned) => planned.catchUp && !planned.skipped)).toBe(true);
    expect(plan.fires.map((planned) => planned.missedCount)).toEqual(Array(11).fill(0));
    expect(plan.nextRunAt).toBe(at(12 * minute));
    expect(plan.runCount).toBe(11);
  });

  it('skip records one skipped fire', () => {
    clock.set(back);

    const plan = planFire(intervalInput('skip', due, 1), clock.now(), options);

    expect(plan.fires).toEqual([fire(at(11 * minute), { catchUp: true, missedCount: 10, skipped: true })]);
    expect(plan.nextRunAt).toBe(at(12 * minute));
    expect(plan.runCount).toBe(1);
    expect(plan.status).toBe('ACTIVE');
  });
});

describe('planFire with two slots due inside the grace', () => {
  // Every 2 s with a 5 s grace: 2.5 s late, the slot after the due one is
  // due too, so the misfire policy applies even though the lateness is small.
  const everyTwoSeconds: IntervalConfig = { interval_seconds: 2, start_time: '2026-01-15T12:00:00.000Z' };

  it('fire_once fires the later slot with one missed', () => {
    clock.set(at(2_500));
    const input: PlanInput = { ...intervalInput('fire_once', anchor), schedule_config: everyTwoSeconds };

    const plan = planFire(input, clock.now(), options);

    expect(plan.fires).toEqual([fire(at(2 * second), { catchUp: true, missedCount: 1 })]);
    expect(plan.nextRunAt).toBe(at(4 * second));
  });
});

describe('planFire keeps next_run_at on the grid', () => {
  // Every 7 s from 12:00:00.250: slot k is at 12:00:00.250 + 7k s.
  const oddGrid: IntervalConfig = { interval_seconds: 7, start_time: '2026-01-15T12:00:00.250Z' };
  const oddAnchor = Date.parse(oddGrid.start_time);

  it.each([
    ['on time', 0, oddAnchor + 7 * second],
    ['within the grace', 4_321, oddAnchor + 7 * second],
    ['after 1 h of downtime', hour + 1_234, oddAnchor + 515 * 7 * second],
  ])('fire_once %s', (_case, lateness, expectedNext) => {
    clock.set(oddAnchor + lateness);
    const input: PlanInput = { ...intervalInput('fire_once', oddAnchor), schedule_config: oddGrid };

    const plan = planFire(input, clock.now(), options);

    expect(plan.nextRunAt).toBe(expectedNext);
    expect((plan.nextRunAt! - oddAnchor) % 7_000).toBe(0);
  });

  it('fire_all continues after the latest due slot', () => {
    clock.set(oddAnchor + hour + 1_234);
    const input: PlanInput = { ...intervalInput('fire_all', oddAnchor), schedule_config: oddGrid };

    const plan = planFire(input, clock.now(), options);

    // 3600 s / 7 s: slots 0…514 are due, the last at 12:00:00.250 + 3598 s.
    expect(plan.fires.map((planned) => planned.scheduledFor)).toEqual([oddAnchor, oddAnchor + 7_000, oddAnchor + 14_000]);
    expect(plan.fires[2]!.missedCount).toBe(515 - 3);
    expect(plan.nextRunAt).toBe(oddAnchor + 515 * 7_000);
  });

  it('1000 on-time fires do not drift', () => {
    let due = oddAnchor;
    let runCount = 0;
    for (let k = 0; k < 1000; k += 1) {
      // Each fire starts 300 ms late, inside the grace.
      clock.set(due + 300);
      const input: PlanInput = { ...intervalInput('fire_once', due, runCount), schedule_config: oddGrid };
      const plan = planFire(input, clock.now(), options);
      due = plan.nextRunAt!;
      runCount = plan.runCount;
    }

    expect(due).toBe(oddAnchor + 1000 * 7_000);
    expect(runCount).toBe(1000);
  });
});

describe('planFire WINDOW', () => {
  it('fire reaching max_runs completes', () => {
    clock.set(at(4 * minute));

    const plan = planFire(windowInput('fire_once', at(4 * minute), 4), clock.now(), options);

    expect(plan.fires).toEqual([fire(at(4 * minute))]);
    expect(plan.runCount).toBe(5);
    expect(plan.nextRunAt).toBeNull();
    expect(plan.status).toBe('COMPLETED');
  });

  it('fire below max_runs stays active', () => {
    clock.set(at(3 * minute));

    const plan = planFire(windowInput('fire_once', at(3 * minute), 3), clock.now(), options);

    expect(plan.runCount).toBe(4);
    expect(plan.nextRunAt).toBe(at(4 * minute));
    expect(plan.status).toBe('ACTIVE');
  });

  it('max_runs caps fire_all catch-up', () => {
    // Due at 12:03 with three runs done; back at 12:09:30, so 12:03–12:09 are
    // due (seven slots), but only two more runs are allowed.
    clock.set(at(9 * minute + 30 * second));

    const plan = planFire(windowInput('fire_all', at(3 * minute), 3), clock.now(), { ...options, fireAllLimit: 100 });

    expect(plan.fires).toEqual([fire(at(3 * minute), { catchUp: true }), fire(at(4 * minute), { catchUp: true })]);
    expect(plan.runCount).toBe(5);
    expect(plan.nextRunAt).toBeNull();
    expect(plan.status).toBe('COMPLETED');
  });

  it('fire_once catch-up reaching max_runs completes', () => {
    clock.set(at(9 * minute + 30 * second));

    const plan = planFire(windowInput('fire_once', at(4 * minute), 4), clock.now(), options);

    expect(plan.fires).toEqual([fire(at(9 * minute), { catchUp: true, missedCount: 5 })]);
    expect(plan.runCount).toBe(5);
    expect(plan.status).toBe('COMPLETED');
  });

  it('skipped fire does not count toward max_runs', () => {
    clock.set(at(6 * minute + 30 * second));

    const plan = planFire(windowInput('skip', at(4 * minute), 4), clock.now(), options);

    expect(plan.fires).toEqual([fire(at(6 * minute), { catchUp: true, missedCount: 2, skipped: true })]);
    expect(plan.runCount).toBe(4);
    expect(plan.nextRunAt).toBe(at(7 * minute));
    expect(plan.status).toBe('ACTIVE');
  });

  it('fires nothing past max_runs', () => {
    clock.set(at(5 * minute));

    const plan = planFire(windowInput('fire_once', at(5 * minute), 5), clock.now(), options);

    expect(plan.fires).toEqual([]);
    expect(plan.runCount).toBe(5);
    expect(plan.nextRunAt).toBeNull();
    expect(plan.status).toBe('COMPLETED');
  });

  it('fire at the inclusive end completes', () => {
    const unlimited: WindowConfig = { ...tenMinuteWindow, max_runs: null };
    clock.set(windowEnd);

    const plan = planFire(windowInput('fire_once', windowEnd, 10, unlimited), clock.now(), options);

    expect(plan.fires).toEqual([fire(windowEnd)]);
    expect(plan.runCount).toBe(11);
    expect(plan.nextRunAt).toBeNull();
    expect(plan.status).toBe('COMPLETED');
  });

  // Due at 12:08 with no max_runs; the process comes back an hour after the
  // window closed. Only 12:08, 12:09 and 12:10 may fire.
  it.each([
    ['fire_once', [fire(windowEnd, { catchUp: true, missedCount: 2 })], 9],
    ['fire_all', [fire(at(8 * minute), { catchUp: true }), fire(at(9 * minute), { catchUp: true }), fire(windowEnd, { catchUp: true })], 11],
    ['skip', [fire(windowEnd, { catchUp: true, missedCount: 2, skipped: true })], 8],
  ] as const)('%s catch-up after the window stays inside it', (policy, expectedFires, expectedRunCount) => {
    const unlimited: WindowConfig = { ...tenMinuteWindow, max_runs: null };
    clock.set(windowEnd + hour);

    const plan = planFire(windowInput(policy, at(8 * minute), 8, unlimited), clock.now(), { ...options, fireAllLimit: 100 });

    expect(plan.fires).toEqual(expectedFires);
    expect(plan.fires.every((planned) => planned.scheduledFor >= anchor && planned.scheduledFor <= windowEnd)).toBe(true);
    expect(plan.runCount).toBe(expectedRunCount);
    expect(plan.nextRunAt).toBeNull();
    expect(plan.status).toBe('COMPLETED');
  });
});

describe('firstRunAt', () => {
  it.each([
    // Paused at 12:02:30 and resumed at 12:10:20: 12:03–12:10 never fire.
    ['INTERVAL resumed between slots', 'INTERVAL', everyMinute, at(10 * minute + 20 * second), at(11 * minute)],
    ['INTERVAL resumed exactly on a slot', 'INTERVAL', everyMinute, at(11 * minute), at(11 * minute)],
    ['INTERVAL created before its start', 'INTERVAL', everyMinute, at(-hour), anchor],
    ['INTERVAL resumed a year later', 'INTERVAL', everyMinute, at(365 * 24 * hour + 1), at(365 * 24 * hour + minute)],
    ['WINDOW created before it opens', 'WINDOW', tenMinuteWindow, at(-hour), anchor],
    ['WINDOW resumed inside it', 'WINDOW', tenMinuteWindow, at(4 * minute + 1), at(5 * minute)],
    ['WINDOW resumed at its end', 'WINDOW', tenMinuteWindow, windowEnd, windowEnd],
    ['WINDOW resumed after its end', 'WINDOW', tenMinuteWindow, windowEnd + 1, null],
  ] as const)('%s', (_case, type, config, resumedAt, expected) => {
    clock.set(resumedAt);

    expect(firstRunAt(type, config, clock.now())).toBe(expected);
  });

  it('resume fires no catch-up for the pause', () => {
    // Paused after the 12:02 fire; resumed at 12:10:20.
    clock.set(at(10 * minute + 20 * second));
    const resumedNext = firstRunAt('INTERVAL', everyMinute, clock.now())!;

    clock.set(resumedNext);
    const plan = planFire(intervalInput('fire_all', resumedNext, 3), clock.now(), options);

    expect(plan.fires).toEqual([fire(at(11 * minute))]);
    expect(plan.runCount).toBe(4);
    expect(plan.nextRunAt).toBe(at(12 * minute));
  });
});

describe('planFire CRON', () => {
  const everyFiveMinutes: CronConfig = { expression: '*/5 * * * *', timezone: 'UTC' };

  function cronInput(misfirePolicy: MisfirePolicy, due: number, config: CronConfig = everyFiveMinutes): PlanInput {
    return { schedule_type: 'CRON', schedule_config: config, misfire_policy: misfirePolicy, run_count: 4, next_run_at: due };
  }

  it('on time fires the due slot', () => {
    clock.set(at(5 * minute + 2 * second));

    const plan = planFire(cronInput('fire_once', at(5 * minute)), clock.now(), options);

    expect(plan.fires).toEqual([fire(at(5 * minute))]);
    expect(plan.nextRunAt).toBe(at(10 * minute));
    expect(plan.runCount).toBe(5);
    expect(plan.status).toBe('ACTIVE');
  });

  // Due at 12:05; back at 12:31:30. Six slots are due, 12:05 to 12:30, and
  // the next one is 12:35.
  it.each([
    ['fire_once', [fire(at(30 * minute), { catchUp: true, missedCount: 5 })], 5],
    [
      'fire_all',
      [
        fire(at(5 * minute), { catchUp: true }),
        fire(at(10 * minute), { catchUp: true }),
        fire(at(15 * minute), { catchUp: true, missedCount: 3 }),
      ],
      7,
    ],
    ['skip', [fire(at(30 * minute), { catchUp: true, missedCount: 5, skipped: true })], 4],
  ] as const)('%s after downtime', (policy, expectedFires, expectedRunCount) => {
    clock.set(at(31 * minute + 30 * second));

    const plan = planFire(cronInput(policy, at(5 * minute)), clock.now(), options);

    expect(plan.fires).toEqual(expectedFires);
    expect(plan.nextRunAt).toBe(at(35 * minute));
    expect(plan.runCount).toBe(expectedRunCount);
    expect(plan.status).toBe('ACTIVE');
  });

  it('fire_once counts a missed week', () => {
    const everySecond: CronConfig = { expression: '* * * * * *', timezone: 'UTC' };
    clock.set(at(7 * 24 * hour));

    const plan = planFire(cronInput('fire_once', anchor, everySecond), clock.now(), options);

    expect(plan.fires).toEqual([fire(at(7 * 24 * hour), { catchUp: true, missedCount: 7 * 86_400 })]);
    expect(plan.nextRunAt).toBe(at(7 * 24 * hour + second));
  });

  it('fixed time in the repeated hour fires once', () => {
    // 01:30 EDT on 2026-11-01 is 05:30Z; 01:30 EST an hour later does not fire.
    const nightly: CronConfig = { expression: '30 1 * * *', timezone: 'America/New_York' };
    const due = Date.parse('2026-11-01T05:30:00Z');
    clock.set(due);

    const plan = planFire(cronInput('fire_once', due, nightly), clock.now(), options);

    expect(plan.fires).toEqual([fire(due)]);
    expect(plan.nextRunAt).toBe(Date.parse('2026-11-02T06:30:00Z'));
  });

  it('fire_once counts both fall-back passes', () => {
    // Due at 00:30 EDT (04:30Z); back at 02:10 EST (07:10Z). Due slots:
    // 00:30, 01:00 and 01:30 EDT, 01:00 and 01:30 EST, 02:00 EST.
    const halfHourly: CronConfig = { expression: '*/30 * * * *', timezone: 'America/New_York' };
    clock.set(Date.parse('2026-11-01T07:10:00Z'));

    const plan = planFire(cronInput('fire_once', Date.parse('2026-11-01T04:30:00Z'), halfHourly), clock.now(), options);

    expect(plan.fires).toEqual([fire(Date.parse('2026-11-01T07:00:00Z'), { catchUp: true, missedCount: 5 })]);
    expect(plan.nextRunAt).toBe(Date.parse('2026-11-01T07:30:00Z'));
  });
});

describe('planFire ONCE', () => {
  const once: OnceConfig = { run_at: '2026-01-15T12:30:00.000Z' };
  const runAt = at(30 * minute);

  function onceInput(misfirePolicy: MisfirePolicy, runCount = 0): PlanInput {
    return { schedule_type: 'ONCE', schedule_config: once, misfire_policy: misfirePolicy, run_count: runCount, next_run_at: runAt };
  }

  it('on time fires and completes', () => {
    clock.set(runAt + 1_000);

    const plan = planFire(onceInput('fire_once'), clock.now(), options);

    expect(plan.fires).toEqual([fire(runAt)]);
    expect(plan.runCount).toBe(1);
    expect(plan.nextRunAt).toBeNull();
    expect(plan.status).toBe('COMPLETED');
  });

  // The process was down from 12:29 to 14:00.
  it.each([
    ['fire_once', [fire(runAt, { catchUp: true })], 1],
    ['fire_all', [fire(runAt, { catchUp: true })], 1],
    ['skip', [fire(runAt, { catchUp: true, skipped: true })], 0],
  ] as const)('%s late completes', (policy, expectedFires, expectedRunCount) => {
    clock.set(at(2 * hour));

    const plan = planFire(onceInput(policy), clock.now(), options);

    expect(plan.fires).toEqual(expectedFires);
    expect(plan.runCount).toBe(expectedRunCount);
    expect(plan.nextRunAt).toBeNull();
    expect(plan.status).toBe('COMPLETED');
  });

  it('fires nothing once it has fired', () => {
    clock.set(runAt);

    const plan = planFire(onceInput('fire_once', 1), clock.now(), options);

    expect(plan.fires).toEqual([]);
    expect(plan.status).toBe('COMPLETED');
  });

  it.each([
    ['created before run_at', at(0), runAt],
    ['resumed at run_at', runAt, runAt],
    ['resumed after run_at', runAt + 1, null],
  ])('firstRunAt %s', (_case, resumedAt, expected) => {
    expect(firstRunAt('ONCE', once, resumedAt)).toBe(expected);
  });
});
