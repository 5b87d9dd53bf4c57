export { HttpExecutor } from './http-executor.js';
export type { ExecutionResult, HttpRequestSpec } from './types.js';
export { DEFAULT_EXECUTOR_OPTIONS, resolveExecutorOptions, type ExecutorOptions, type TargetCheck } from './options.js';
export { BlockedAddressError, RequestInterruptedError, RequestTimeoutError } from './errors.js';
export { classifyError, type ErrorClassification } from './classify-error.js';
export { parseRetryAfter } from './parse-retry-after.js';
export { isRedirectStatus, planRedirect, refusedRedirectReason, type HopRequest } from './redirect.js';
export { buildRequestHeaders, methodSendsBody } from './request-headers.js';
export { flattenResponseHeaders } from './response-headers.js';
