import { KNOWN_FIELDS } from './input-models.js';

/** What the server read from a REST request, to check that each issue's loc names a part of it. */
export interface RestView {
  /** The body as JSON.parse reads it, or undefined when it is no JSON. */
  body: unknown;
  /** Names of the query parameters sent. */
  query: Set<string>;
  /** Names of the path parameters of the route, such as "id". */
  path: Set<string>;
}

const isContainer = (value: unknown): value is Record<PropertyKey, unknown> => value !== null && typeof value === 'object';

/**
 * Tells whether `path` leads to a part of `input`. Every step but the last
 * must exist. The last may also be absent when it is a field of the API,
 * because an issue may name a required field the client left out, or one
 * that a default filled in.
 */
export function pathIsInInput(path: readonly (string | number)[], input: unknown): boolean {
  let node = input;
  for (const key of path.slice(0, -1)) {
    if (!isContainer(node) || !Object.hasOwn(node, key)) return false;
    node = node[key];
  }
  const last = path[path.length - 1];
  if (last === undefined) return true;
  if (!isContainer(node) && node !== undefined) return false;
  return (isContainer(node) && Object.hasOwn(node, last)) || KNOWN_FIELDS.has(String(last));
}

/** Describes what is wrong with one validation issue, or returns null when it is well formed. */
function issueProblem(issue: unknown, locate: (loc: (string | number)[]) => boolean): string | null {
  if (!isContainer(issue)) return `an issue is not an object: ${JSON.stringify(issue)}`;
  const { loc, msg, type } = issue;
  if (!Array.isArray(loc) || !loc.every((part) => typeof part === 'string' || typeof part === 'number')) return `an issue has no loc array: ${JSON.stringify(issue)}`;
  if (typeof msg !== 'string' || msg.trim().length < 3 || msg.includes('[object Object]')) return `an issue has no readable msg: ${JSON.stringify(issue)}`;
  if (typeof type !== 'string' || type.length === 0) return `an issue has no type: ${JSON.stringify(issue)}`;
  if (!locate(loc as (string | number)[])) return `an issue's loc names no part of the request: ${JSON.stringify(issue)}`;
  return null;
}

function restLocIsInRequest(loc: (string | number)[], view: RestView): boolean {
  const [source, ...path] = loc;
  switch (source) {
    case 'body':
      return view.body === undefined ? path.length === 0 : pathIsInInput(path, view.body);
    case 'query':
      return path.length === 1 && view.query.has(String(path[0]));
    case 'path':
      return path.length === 1 && view.path.has(String(path[0]));
    default:
      return false;
  }
}

/**
 * Checks an error response of the REST API: a 422 lists issues whose loc
 * names a part of the request, any other 4xx has a string detail. Returns
 * the problems found, empty when there are none.
 */
export function restErrorProblems(status: number, text: string, view: RestView): string[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [`the ${status} body is not JSON: ${text.slice(0, 200)}`];
  }
  if (!isContainer(body)) return [`the ${status} body is not an object: ${text.slice(0, 200)}`];

  if (status === 422) {
    const detail = body.detail;
    if (!Array.isArray(detail) || detail.length === 0) return [`the 422 detail is not a non-empty array: ${text.slice(0, 300)}`];
    return detail.map((issue) => issueProblem(issue, (loc) => restLocIsInRequest(loc, view))).filter((problem): problem is string => problem !== null);
  }

  const detail = body.detail;
  if (typeof detail !== 'string' || detail.trim().length === 0) return [`the ${status} detail is not a non-empty string: ${text.slice(0, 300)}`];
  return [];
}

/** The error of one tRPC call, after superjson has decoded it. */
export interface TrpcErrorShape {
  message?: unknown;
  code?: unknown;
  data?: { code?: unknown; httpStatus?: unknown; issues?: unknown };
}

/**
 * Checks the error of one tRPC call: never INTERNAL_SERVER_ERROR, a message,
 * and for UNPROCESSABLE_CONTENT issues whose loc names a part of one of the
 * views of the input.
 */
export function trpcErrorProblems(error: TrpcErrorShape, inputs: readonly unknown[]): string[] {
  const problems: string[] = [];
  const code = error.data?.code;
  const httpStatus = error.data?.httpStatus;
  if (typeof code !== 'string') return [`the tRPC error has no data.code: ${JSON.stringify(error).slice(0, 300)}`];
  if (code === 'INTERNAL_SERVER_ERROR' || (typeof httpStatus === 'number' && httpStatus >= 500)) problems.push(`the tRPC error is ${code} (${String(httpStatus)})`);
  if (typeof error.message !== 'string' || error.message.trim().length === 0) problems.push(`the tRPC error has no message: ${JSON.stringify(error).slice(0, 300)}`);

  if (code === 'UNPROCESSABLE_CONTENT') {
    const issues = error.data?.issues;
    if (!Array.isArray(issues) || issues.length === 0) {
      problems.push(`the UNPROCESSABLE_CONTENT error has no data.issues: ${JSON.stringify(error).slice(0, 300)}`);
    } else {
      for (const issue of issues) {
        const problem = issueProblem(issue, (loc) => inputs.some((input) => pathIsInInput(loc, input)));
        if (problem !== null) problems.push(problem);
      }
    }
  }
  return problems;
}
