import {
  ALERT_STATES,
  HTTP_METHODS,
  MISFIRE_POLICIES,
  OVERLAP_POLICIES,
  SCHEDULE_STATUSES,
  SCHEDULE_TYPES,
  ValidationError,
  alertConfigSchema,
  createTargetInput,
  resolveScheduleConfig,
  retryPolicySchema,
  scheduleNameSchema,
} from '@api-scheduler/core';
import type { Page, PageInput, Schedule, ScheduleConfig, Target } from '@api-scheduler/core';
import type { Store } from '@api-scheduler/db';
import { z } from 'zod';

const PAGE_SIZE = 500;

/**
 * The document that `export` writes and `import` reads. Targets and schedules
 * are the stored records: ids, states and instants (ISO 8601 strings) as they
 * are, and secret header values and signing secrets as stored, which is
 * encrypted under SCHEDULER_SECRET_KEY when the server had one.
 */
export interface ExportDocument {
  targets: Target[];
  schedules: Schedule[];
}

/** An import document that is not JSON or not in the shape `export` writes: exit code 2. */
export class ImportDocumentError extends Error {
  constructor(message: string) {
    super(`Invalid import document: ${message}. Pass the output of api-scheduler export on standard input.`);
    this.name = 'ImportDocumentError';
  }
}

/** An import into a database that already has targets or schedules: exit code 1. */
export class ImportDestinationNotEmptyError extends Error {
  constructor() {
    super('The database of DATABASE_URL already has targets or schedules: import into an empty database, so that nothing is merged or fired twice');
    this.name = 'ImportDestinationNotEmptyError';
  }
}

async function listAll<T>(list: (input: PageInput) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await list({ limit: PAGE_SIZE, ...(cursor === undefined ? {} : { cursor }) });
    items.push(...page.items);
    if (page.next_cursor === null) return items;
    cursor = page.next_cursor;
  }
}

/** Reads every target and schedule of the store, oldest first. */
export async function exportData(store: Store): Promise<ExportDocument> {
  const targets = await listAll((input) => store.listTargets(input));
  const schedules = await listAll((input) => store.listSchedules(input));
  return { targets, schedules };
}

const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

const targetRecord = z.object({
  id: z.string().min(1),
  name: z.string(),
  url: z.string().min(1),
  method: z.enum(HTTP_METHODS),
  headers: z.record(z.string(), z.string()),
  body_template: z.string().nullable(),
  timeout_ms: z.number().int().positive(),
  signing_secret: z.string().nullable(),
  created_at: instant,
  updated_at: instant,
});

const scheduleRecord = z.object({
  id: z.string().min(1),
  target_id: z.string().min(1),
  name: z.string(),
  schedule_type: z.enum(SCHEDULE_TYPES),
  schedule_config: z.record(z.string(), z.unknown()),
  status: z.enum(SCHEDULE_STATUSES),
  next_run_at: instant.nullable(),
  run_count: z.number().int().nonnegative(),
  last_run_at: instant.nullable(),
  timezone: z.string().min(1),
  retry_policy: retryPolicySchema,
  overlap_policy: z.enum(OVERLAP_POLICIES),
  misfire_policy: z.enum(MISFIRE_POLICIES),
  // Optional, so documents exported before alerts existed still import.
  alert: alertConfigSchema.nullable().default(null),
  alert_state: z.enum(ALERT_STATES).default('OK'),
  alert_failures: z.number().int().nonnegative().default(0),
  alert_changed_at: instant.nullable().default(null),
  created_at: instant,
  updated_at: instant,
});

const exportDocument = z.object({
  targets: z.array(targetRecord),
  schedules: z.array(scheduleRecord),
});

/** Parses the text of an export document; throws ImportDocumentError naming the first invalid field. */
export function parseExportDocument(text: string): ExportDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ImportDocumentError(`not JSON (${(error as Error).message})`);
  }

  const parsed = exportDocument.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.length === 0 ? 'the document' : issue.path.join('.');
    throw new ImportDocumentError(`${path}: ${issue.message}`);
  }

  const targetIds = new Set(parsed.data.targets.map((target) => target.id));
  for (const [index, schedule] of parsed.data.schedules.entries()) {
    if (!targetIds.has(schedule.target_id)) {
      throw new ImportDocumentError(`schedules.${index}.target_id: target ${schedule.target_id} is not in the document`);
    }
  }
  checkRecords(parsed.data.targets, parsed.data.schedules);
  return {
    targets: parsed.data.targets,
    // checkRecords has resolved every schedule_config with the rules of its schedule type.
    schedules: parsed.data.schedules.map((schedule) => ({ ...schedule, schedule_config: schedule.schedule_config as unknown as ScheduleConfig })),
  };
}

/**
 * Applies the checks of create to every record, so a hand-edited document
 * cannot store what the API would reject: such a row could never fire and
 * would fail every list that contains it. Throws ImportDocumentError for
 * the first invalid field.
 * NOTE: IP literals in URLs are not checked against the address guard
 * here, as create does; the guard still blocks them when they are sent.
 */
function checkRecords(targets: Array<z.output<typeof targetRecord>>, schedules: Array<z.output<typeof scheduleRecord>>): void {
  for (const [index, target] of targets.entries()) {
    const { name, url, method, headers, body_template, timeout_ms } = target;
    const checked = createTargetInput.safeParse({ name, url, method, headers, body_template, timeout_ms });
    if (!checked.success) throw issueAt(`targets.${index}`, checked.error.issues[0]!.path, checked.error.issues[0]!.message);
  }
  for (const [index, schedule] of schedules.entries()) {
    const name = scheduleNameSchema.safeParse(schedule.name);
    if (!name.success) throw issueAt(`schedules.${index}`, ['name'], name.error.issues[0]!.message);
    try {
      resolveScheduleConfig(schedule.schedule_type, schedule.schedule_config, { now: Date.now(), timezone: schedule.timezone });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const issue = error.issues[0]!;
      throw issueAt(`schedules.${index}`, issue.loc, issue.msg);
    }
  }
}

function issueAt(record: string, path: ReadonlyArray<PropertyKey>, message: string): ImportDocumentError {
  return new ImportDocumentError(`${[record, ...path.map(String)].join('.')}: ${message}`);
}

/**
 * Inserts every target and schedule of the document with its id, state and
 * instants. The store must be migrated and hold no target or schedule.
 * NOTE: the inserts run one by one outside a transaction, so a failure half
 * way leaves the targets and schedules inserted before it.
 */
export async function importData(store: Store, document: ExportDocument): Promise<{ targets: number; schedules: number }> {
  const targetsThere = await store.listTargets({ limit: 1 });
  const schedulesThere = await store.listSchedules({ limit: 1 });
  if (targetsThere.items.length > 0 || schedulesThere.items.length > 0) throw new ImportDestinationNotEmptyError();

  for (const target of document.targets) await store.createTarget(target);
  for (const schedule of document.schedules) await store.createSchedule(schedule);
  return { targets: document.targets.length, schedules: document.schedules.length };
}
