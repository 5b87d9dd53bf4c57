import { pathParameters, restRoutes } from './routes.js';
import type { RestRoute } from './routes.js';

interface CompiledPath {
  pattern: RegExp;
  parameters: string[];
  /** The routes of this path, one per method. */
  routes: RestRoute[];
}

export interface RouteMatch {
  routes: RestRoute[];
  /** Decoded path parameters by name. */
  parameters: Record<string, string>;
}

/** Drops one trailing slash, so "/targets/" and "/targets" name the same path. */
export function normalizePath(pathname: string): string {
  return pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compile(template: string): RegExp {
  const segments = normalizePath(template)
    .split('/')
    .map((segment) => (/^\{\w+\}$/.test(segment) ? '([^/]+)' : escapeRegExp(segment)));
  return new RegExp(`^${segments.join('/')}$`);
}

const compiledPaths: CompiledPath[] = [];
for (const route of restRoutes) {
  const pattern = compile(route.path);
  const existing = compiledPaths.find((compiled) => compiled.pattern.source === pattern.source);
  if (existing) existing.routes.push(route);
  else compiledPaths.push({ pattern, parameters: pathParameters(route.path), routes: [route] });
}

/** Finds the routes of a path. Returns null when no route has it or a parameter is not valid percent-encoding. */
export function matchRoute(pathname: string): RouteMatch | null {
  const path = normalizePath(pathname);
  for (const compiled of compiledPaths) {
    const match = compiled.pattern.exec(path);
    if (!match) continue;

    const parameters: Record<string, string> = {};
    try {
      compiled.parameters.forEach((name, index) => {
        parameters[name] = decodeURIComponent(match[index + 1]!);
      });
    } catch {
      return null;
    }
    return { routes: compiled.routes, parameters };
  }
  return null;
}
