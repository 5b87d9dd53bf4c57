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

    expect(config.oneOf).toEqual([{ $ref: '#/components/schemas/IntervalScheduleConfig' }, { $ref: '#/components/schemas/WindowScheduleConfig' }]);
    expect(document.components.schemas.WindowScheduleConfig.required).toEqual(['start_time', 'end_time', 'interval_seconds']);
  });

  it('types response dates as date-time strings', () => {
    const schedule = document.components.schemas.Schedule;

    expect(schedule.properties.created_at).toEqual({ type: 'string', format: 'date-time' });
    expect(schedule.properties.next_run_at.anyOf).toContainEqual({ type: 'string', format: 'date-time' });
    expect(schedule.required).toContain('schedule_id');
  });
});
