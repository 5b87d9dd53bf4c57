import { describe, expect, it } from 'vitest';

import { buildOpenApiDocument } from '../src/index.js';

const document = buildOpenApiDocument() as any;
const operations = Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
);

function collectRefs(value: unknown, refs: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) collectRefs(item, refs);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') refs.push(item);
      else collectRefs(item, refs);
    }
  }
  return refs;
}

describe('buildOpenApiDocument', () => {
  it('is OpenAPI 3.1 with unique operation ids', () => {
    expect(document.openapi).toBe('3.1.0');
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('schedules_pause');
  });

  it('resolves every $ref to a component', () => {
    const refs = collectRefs(document);

    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      const name = ref.replace('#/components/schemas/', '');
      expect(document.components.schemas[name], ref).toBeDefined();
    }
  });

  it('describes list responses as arrays with X-Next-Cursor', () => {
    const list = document.paths['/runs/'].get.responses['200'];

    expect(list.content['application/json'].schema).toEqual({ type: 'array', items: { $ref: '#/components/schemas/Run' } });
    expect(list.headers['X-Next-Cursor']).toBeDefined();
  });

  it('documents query parameters from the input schema', () => {
    const parameters = document.paths['/runs/'].get.parameters as any[];
    const byName = Object.fromEntries(parameters.map((parameter) => [parameter.name, parameter]));

    expect(Object.keys(byName).sort()).toEqual(['cursor', 'limit', 'schedule_id', 'since', 'status', 'target_id', 'until']);
    expect(byName.limit).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', maximum: 1000 } });
    expect(byName.since.schema).toMatchObject({ type: 'string', format: 'date-time' });
    expect(byName.status.schema.enum).toEqual(['RUNNING', 'SUCCESS', 'FAILURE', 'SKIPPED']);
  });

  it('documents path parameters, 404 and 422', () => {
    const get = document.paths['/schedules/{id}'].get;

    expect(get.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
    expect(get.responses['404'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ErrorDetail' });
    expect(get.responses['422'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/HTTPValidationError' });
  });

  it('documents 204, 409 and request bodies', () => {
    const remove = document.paths['/targets/{id}'].delete;
    expect(remove.responses['204']).toEqual({ description: 'Done; no content' });
    expect(remove.responses['409']).toBeDefined();

    const update = document.components.schemas.UpdateTarget;
    expect(update.properties.id).toBeUndefined();
    expect(update.additionalProperties).toBe(false);
    expect(document.paths['/targets/{id}'].patch.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/UpdateTarget' });
  });

  it('describes schedule_config per schedule type', () => {
    const config = document.components.schemas.CreateSchedule.properties.schedule_config;

    expect(config.oneOf).toEqual([
      { $ref: '#/components/schemas/IntervalScheduleConfig' },
      { $ref: '#/components/schemas/WindowScheduleConfig' },
      { $ref: '#/components/schemas/CronScheduleConfig' },
      { $ref: '#/components/schemas/OnceScheduleConfig' },
    ]);
    expect(document.components.schemas.WindowScheduleConfig.required).toEqual(['start_time', 'end_time', 'interval_seconds']);
    expect(document.components.schemas.CronScheduleConfig.required).toContain('expression');
    expect(document.components.schemas.OnceScheduleConfig.required).toEqual(['run_at']);
  });

  it('describes the stored config of every schedule type', () => {
    const shapes = document.components.schemas.Schedule.properties.schedule_config.anyOf as { properties: Record<string, unknown> }[];

    expect(shapes.map((shape) => Object.keys(shape.properties).sort())).toEqual([
      ['end_time', 'interval_seconds', 'max_runs', 'start_time'],
      ['interval_seconds', 'start_time'],
      ['expression', 'timezone'],
      ['run_at'],
    ]);
  });

  it('documents run now as 202 with 503 and its description', () => {
    const trigger = document.paths['/schedules/{id}/trigger'].post;

    expect(trigger.operationId).toBe('schedules_trigger');
    expect(trigger.responses['202'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Run' });
    expect(trigger.responses['404']).toBeDefined();
    expect(trigger.responses['503'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ErrorDetail' });
    expect(trigger.description).toContain('COMPLETED schedules can be triggered');
    expect(trigger.requestBody).toBeUndefined();
    expect(document.components.schemas.Run.properties.manual).toMatchObject({ type: 'boolean' });
  });

  it('documents the preview with its count parameter', () => {
    const preview = document.paths['/schedules/{id}/next'].get;
    const count = (preview.parameters as any[]).find((parameter) => parameter.name === 'count');

    expect(count).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 10 } });
    expect(preview.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/SchedulePreview' });
    expect(preview.responses['422']).toBeDefined();
    const fire = document.components.schemas.SchedulePreview.properties.fires.items;
    expect(fire.properties.at).toEqual(expect.objectContaining({ type: 'string', format: 'date-time' }));
    expect(fire.required).toEqual(['at', 'local']);
  });

  it('lists the health checks', () => {
    expect(document.paths['/healthz'].get.responses['200']).toBeDefined();
    expect(Object.keys(document.paths['/readyz'].get.responses)).toEqual(['200', '503']);
  });

  it('types response dates as date-time strings', () => {
    const schedule = document.components.schemas.Schedule;

    expect(schedule.properties.created_at).toEqual({ type: 'string', format: 'date-time' });
    expect(schedule.properties.next_run_at.anyOf).toContainEqual({ type: 'string', format: 'date-time' });
    expect(schedule.required).toContain('schedule_id');
  });
});
