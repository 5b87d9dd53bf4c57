import { SCHEDULE_TYPES, scheduleConfigInputs } from '@api-scheduler/core';
import { z } from 'zod';

import { SESSION_COOKIE } from './auth/request-info.js';
import { errorBody, validationErrorBody } from './rest/responses.js';
import { pathParameters, restRoutes } from './rest/routes.js';
import type { RestRoute } from './rest/routes.js';
import { appRouter } from './router.js';
import { apiKeyOutput } from './schemas/api-key.js';
import { metricsOutput } from './schemas/metrics.js';
import { runOutput } from './schemas/run.js';
import { schedulePreviewOutput } from './schemas/schedule-preview.js';
import { scheduleOutput } from './schemas/schedule.js';
import { targetOutput } from './schemas/target.js';
import { API_VERSION } from './version.js';

type JsonSchema = Record<string, unknown>;
type Registry = ReturnType<typeof z.registry<{ id: string }>>;

const componentUri = (id: string): string => `#/components/schemas/${id}`;
const ref = (id: string): JsonSchema => ({ $ref: componentUri(id) });

// JSON has no date type: dates travel as ISO 8601 strings.
const jsonSchemaOptions = {
  unrepresentable: 'any',
  override(ctx) {
    if (ctx.zodSchema._zod.def.type === 'date') {
      ctx.jsonSchema.type = 'string';
      ctx.jsonSchema.format = 'date-time';
    }
  },
} satisfies Parameters<typeof z.toJSONSchema>[1];

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _schema, ...json } = z.toJSONSchema(schema, { ...jsonSchemaOptions, io }) as JsonSchema;
  return json;
}

function registryToComponents(registry: Registry, io: 'input' | 'output'): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(registry, { ...jsonSchemaOptions, io, uri: componentUri }) as { schemas: Record<string, JsonSchema> };
  const components: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _schema, $id: _id, ...json } = schema;
    components[id] = json;
  }
  return components;
}

interface ProcedureSchemas {
  input: z.ZodType | undefined;
  output: z.ZodType | undefined;
}

/** Returns the zod schemas that a procedure validates its input and output with. */
function schemasOf(route: RestRoute): ProcedureSchemas {
  // At run time tRPC keeps the procedures flat, under their dotted paths.
  const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { inputs: unknown[]; output?: unknown } } | undefined>;
  const procedure = procedures[route.procedure];
  if (!procedure) throw new Error(`REST route ${route.method} ${route.path} names the unknown procedure ${route.procedure}`);

  const [input] = procedure._def.inputs;
  const output = procedure._def.output;
  return {
    input: input instanceof z.ZodType ? input : undefined,
    output: output instanceof z.ZodType ? output : undefined,
  };
}

const objectShape = (schema: z.ZodType | undefined): Record<string, z.ZodType> =>
  schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : {};

/** "schedules.create" → "CreateSchedule" */
function bodyComponentName(procedure: string): string {
  const [area = '', action = ''] = procedure.split('.');
  const capitalize = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);
  return `${capitalize(action)}${capitalize(area.replace(/s$/, ''))}`;
}

const configComponentName = (type: string): string => `${type.charAt(0)}${type.slice(1).toLowerCase()}ScheduleConfig`;

/** Replaces the free-form schedule_config of a body with one schema per schedule type. */
function describeScheduleConfig(body: JsonSchema): void {
  const properties = body.properties as Record<string, JsonSchema> | undefined;
  if (!properties?.schedule_config) return;

  const types = SCHEDULE_TYPES.filter((type) => type in scheduleConfigInputs);
  properties.schedule_config = {
    description: `Fields depend on schedule_type (${types.join(', ')}). Times accept ISO 8601, "now" and "now + N minutes" (also seconds, hours, days); naive times are read in the schedule's timezone.`,
    oneOf: types.map((type) => ref(configComponentName(type))),
  };
}

function parameterObjects(route: RestRoute, input: z.ZodType | undefined): JsonSchema[] {
  const shape = objectShape(input);
  const parameters: JsonSchema[] = [];

  for (const name of pathParameters(route.path)) {
    const schema = shape[name];
    parameters.push({ name, in: 'path', required: true, schema: schema ? toJsonSchema(schema, 'input') : { type: 'string' } });
  }

  for (const name of route.query ?? []) {
    const schema = shape[name];
    if (!schema) throw new Error(`REST route ${route.method} ${route.path} reads query parameter ${name}, which ${route.procedure} does not take`);
    const required = !schema.safeParse(undefined).success;
    parameters.push({ name, in: 'query', required, schema: toJsonSchema(schema, 'input') });
  }
  return parameters;
}

const errorContent = (id: string): JsonSchema => ({ 'application/json': { schema: ref(id) } });

function successResponse(route: RestRoute, output: z.ZodType | undefined, outputNames: Map<z.ZodType, string>): JsonSchema {
  if (route.status === 204) return { description: 'Done; no content' };

  const schemaFor = (schema: z.ZodType): JsonSchema => {
    const name = outputNames.get(schema);
    return name ? ref(name) : toJsonSchema(schema, 'output');
  };

  if (route.list) {
    const items = objectShape(output).items;
    const element = items instanceof z.ZodArray ? (items.element as z.ZodType) : undefined;
    return {
      description: 'One page, as a JSON array',
      headers: {
        'X-Next-Cursor': {
          description: 'Cursor of the next page, for the cursor query parameter; absent on the last page',
          schema: { type: 'string' },
        },
      },
      content: { 'application/json': { schema: { type: 'array', items: element ? schemaFor(element) : {} } } },
    };
  }

  const descriptions = { 200: 'OK', 201: 'Created', 202: 'Accepted: the work has started and goes on after the response' };
  return {
    description: descriptions[route.status],
    content: { 'application/json': { schema: output ? schemaFor(output) : {} } },
  };
}

function operationOf(route: RestRoute, schemas: ProcedureSchemas, outputNames: Map<z.ZodType, string>): JsonSchema {
  const parameters = parameterObjects(route, schemas.input);
  const responses: Record<string, JsonSchema> = { [route.status]: successResponse(route, schemas.output, outputNames) };

  if (pathParameters(route.path).length > 0) {
    responses['404'] = { description: 'No such id', content: errorContent('ErrorDetail') };
  }
  if (route.conflict) responses['409'] = { description: route.conflict, content: errorContent('ErrorDetail') };
  if (route.unavailable) responses['503'] = { description: route.unavailable, content: errorContent('ErrorDetail') };
  if (route.body) {
    responses['413'] = { description: 'The body is larger than 1 MiB', content: errorContent('ErrorDetail') };
    responses['415'] = { description: 'The body is not sent as JSON', content: errorContent('ErrorDetail') };
  }
  if (route.body || parameters.length > 0) {
    responses['422'] = { description: 'Validation error', content: errorContent('HTTPValidationError') };
  }
  if (!route.public) {
    responses['401'] = {
      description: 'Missing, invalid or revoked API key or session (while at least one key exists); see the WWW-Authenticate header',
      content: errorContent('ErrorDetail'),
    };
    responses['403'] = { description: 'The key\'s scope is too small, or a cookie-authenticated change came from another origin', content: errorContent('ErrorDetail') };
  }
  if (!route.public || route.procedure === 'auth.signIn') {
    responses['429'] = {
      description: 'Too many failed authentication attempts from this address; see the Retry-After header',
      content: errorContent('ErrorDetail'),
    };
  }

  const operation: JsonSchema = {
    operationId: route.procedure.replace('.', '_'),
    summary: route.summary,
    tags: [route.tag],
    responses,
  };
  if (route.description) operation.description = route.description;
  // Either credential works; an empty list would mean "no credentials needed".
  operation.security = route.public ? [] : [{ bearerKey: [] }, { sessionCookie: [] }];
  if (parameters.length > 0) operation.parameters = parameters;
  if (route.body) {
    operation.requestBody = { required: true, content: { 'application/json': { schema: ref(bodyComponentName(route.procedure)) } } };
  }
  return operation;
}

const jsonContent = (schema: JsonSchema): JsonSchema => ({ 'application/json': { schema } });

// apps/server serves these paths itself, outside the REST route table.
const healthzBody: JsonSchema = {
  type: 'object',
  properties: { status: { const: 'ok' } },
  required: ['status'],
};
const readyBody: JsonSchema = {
  type: 'object',
  properties: {
    status: { const: 'ready' },
    database: {
      type: 'object',
      properties: { latency_ms: { type: 'number', description: 'Round trip of the query in milliseconds' } },
      required: ['latency_ms'],
    },
    engine: {
      type: 'object',
      description: 'Present in a process with an engine (roles all and worker)',
      properties: { running: { type: 'boolean' } },
      required: ['running'],
    },
  },
  required: ['status', 'database'],
};
const notReadyBody: JsonSchema = {
  type: 'object',
  properties: { status: { const: 'unavailable' }, detail: { type: 'string' } },
  required: ['status', 'detail'],
};

function documentPaths(): JsonSchema {
  return {
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        summary: 'This OpenAPI document',
        tags: ['system'],
        responses: { '200': { description: 'OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
    '/docs': {
      get: {
        operationId: 'docs',
        summary: 'Swagger UI over this document',
        tags: ['system'],
        responses: { '200': { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } } },
      },
    },
    '/healthz': {
      get: {
        operationId: 'healthz',
        summary: 'Liveness: the process serves HTTP',
        description: 'Does not query the database: /readyz does. Served in every role.',
        tags: ['system'],
        responses: { '200': { description: 'The process is up', content: jsonContent(healthzBody) } },
      },
    },
    '/readyz': {
      get: {
        operationId: 'readyz',
        summary: 'Readiness: the database responds and the engine runs',
        description: 'Runs a trivial query against the database and, in a process with an engine, checks that the engine fires schedules (not before it has started, nor once a stop has begun). Served in every role.',
        tags: ['system'],
        responses: {
          '200': { description: 'The database responds', content: jsonContent(readyBody) },
          '503': { description: 'The database does not respond, or the engine is not running', content: jsonContent(notReadyBody) },
        },
      },
    },
  };
}

function build(): JsonSchema {
  const outputs = z.registry<{ id: string }>();
  const outputNames = new Map<z.ZodType, string>([
    [targetOutput, 'Target'],
    [scheduleOutput, 'Schedule'],
    [runOutput, 'Run'],
    [schedulePreviewOutput, 'SchedulePreview'],
    [metricsOutput, 'Metrics'],
    [apiKeyOutput, 'ApiKey'],
    [validationErrorBody, 'HTTPValidationError'],
    [errorBody, 'ErrorDetail'],
  ]);
  for (const [schema, id] of outputNames) outputs.add(schema, { id });

  const inputs = z.registry<{ id: string }>();
  for (const [type, schema] of Object.entries(scheduleConfigInputs)) inputs.add(schema, { id: configComponentName(type) });

  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of restRoutes) {
    const schemas = schemasOf(route);
    if (route.body) {
      if (!(schemas.input instanceof z.ZodObject)) throw new Error(`REST route ${route.method} ${route.path} takes a body, but ${route.procedure} takes no object`);
      const omitted = Object.fromEntries(pathParameters(route.path).map((name) => [name, true]));
      inputs.add(schemas.input.omit(omitted as Parameters<typeof schemas.input.omit>[0]), { id: bodyComponentName(route.procedure) });
    }
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operationOf(route, schemas, outputNames);
  }

  const inputComponents = registryToComponents(inputs, 'input');
  for (const [id, schema] of Object.entries(inputComponents)) {
    if (!id.endsWith('ScheduleConfig')) describeScheduleConfig(schema);
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'API Scheduler',
      version: API_VERSION,
      description:
        'Stores HTTP targets and schedules, fires the requests on time and records every run. List endpoints return a JSON array and put the cursor of the next page into the X-Next-Cursor header.',
    },
    tags: [{ name: 'targets' }, { name: 'schedules' }, { name: 'runs' }, { name: 'system' }, { name: 'keys' }, { name: 'auth' }],
    paths: { ...paths, ...documentPaths() },
    components: {
      schemas: { ...registryToComponents(outputs, 'output'), ...inputComponents },
      securitySchemes: {
        bearerKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key (sk_…) from `api-scheduler keys create`. Needed while at least one unrevoked key exists.',
        },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The session that POST /auth/sign-in sets' },
      },
    },
  };
}

let cached: JsonSchema | undefined;

/** Builds the OpenAPI 3.1 document of the REST API from its route table and the procedures' zod schemas. */
export function buildOpenApiDocument(): JsonSchema {
  cached ??= build();
  return cached;
}
