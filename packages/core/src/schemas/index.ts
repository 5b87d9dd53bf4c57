// The schemas and constants that a browser can load: none of these modules
// imports a Node.js built-in or uses one when it loads.
export * from './enums.js';
export * from './limits.js';
export * from './target.js';
export * from './schedule.js';
export * from './alert.js';
export type { ValidationIssue } from '../errors.js';
