import type { ErrorType } from '@api-scheduler/core';

export interface ErrorClassification {
  errorType: ErrorType;
  /** Human-readable cause, built from the error's message and code. */
  message: string;
}

// Node.js (net, dns, tls) and undici 7 error codes mapped to error types.
const ERROR_TYPE_BY_CODE: Readonly<Record<string, ErrorType>> = {
  ERR_EXECUTOR_TIMEOUT: 'TIMEOUT',
  UND_ERR_CONNECT_TIMEOUT: 'TIMEOUT',
  UND_ERR_HEADERS_TIMEOUT: 'TIMEOUT',
  UND_ERR_BODY_TIMEOUT: 'TIMEOUT',
  ETIMEDOUT: 'TIMEOUT',
  ECONNREFUSED: 'CONNECTION_REFUSED',
  ECONNRESET: 'CONNECTION_RESET',
  EPIPE: 'CONNECTION_RESET',
  // undici's SocketError, "other side closed": the server closed the connection mid-request.
  UND_ERR_SOCKET: 'CONNECTION_RESET',
  ENOTFOUND: 'DNS_ERROR',
  EAI_AGAIN: 'DNS_ERROR',
  EAI_NONAME: 'DNS_ERROR',
  EAI_FAIL: 'DNS_ERROR',
  EAI_NODATA: 'DNS_ERROR',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS_ERROR',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS_ERROR',
  HOSTNAME_MISMATCH: 'TLS_ERROR',
  ERR_EXECUTOR_INTERRUPTED: 'INTERRUPTED',
  UND_ERR_ABORTED: 'INTERRUPTED',
  UND_ERR_ABORT: 'INTERRUPTED',
  ABORT_ERR: 'INTERRUPTED',
  // The agent was closed or destroyed, which happens only when the executor shuts down.
  UND_ERR_CLOSED: 'INTERRUPTED',
  UND_ERR_DESTROYED: 'INTERRUPTED',
  ERR_BLOCKED_ADDRESS: 'BLOCKED_ADDRESS',
};

// OpenSSL verification codes (CERT_HAS_EXPIRED, UNABLE_TO_VERIFY_LEAF_SIGNATURE, ...)
// and Node's TLS and OpenSSL error codes.
const TLS_CODE_PATTERN = /^(CERT_|UNABLE_TO_|ERR_TLS_|ERR_SSL_|ERR_OSSL_)/;

const SUMMARY_BY_TYPE: Readonly<Record<ErrorType, string>> = {
  TIMEOUT: 'Request timed out',
  DNS_ERROR: 'DNS lookup failed',
  CONNECTION_REFUSED: 'Connection refused',
  CONNECTION_RESET: 'Connection reset',
  TLS_ERROR: 'TLS error',
  TOO_MANY_REDIRECTS: 'Too many redirects',
  BLOCKED_ADDRESS: 'Blocked address',
  HTTP_4XX: 'Client error response',
  HTTP_5XX: 'Server error response',
  INTERRUPTED: 'Request interrupted',
  NETWORK_ERROR: 'Request failed',
};

// Errors that the executor creates already carry a complete message.
const OWN_ERROR_CODES = new Set(['ERR_EXECUTOR_TIMEOUT', 'ERR_EXECUTOR_INTERRUPTED', 'ERR_BLOCKED_ADDRESS']);

const MAX_MESSAGE_LENGTH = 500;
const MAX_ERRORS_VISITED = 20;

/**
 * Maps an error thrown while sending a request to an error type, walking
 * `cause` chains and `AggregateError.errors` breadth-first. The first error
 * with a known code or name decides, and without one it is NETWORK_ERROR.
 */
export function classifyError(error: unknown): ErrorClassification {
  for (const candidate of errorChain(error)) {
    const errorType = errorTypeOf(candidate);
    if (errorType !== null) {
      return { errorType, message: describe(errorType, candidate) };
    }
  }

  return { errorType: 'NETWORK_ERROR', message: describe('NETWORK_ERROR', error) };
}

function errorTypeOf(error: unknown): ErrorType | null {
  if (typeof error !== 'object' || error === null) {
    return null;
  }

  const code = codeOf(error);
  if (code !== null) {
    const mapped = ERROR_TYPE_BY_CODE[code];
    if (mapped !== undefined) {
      return mapped;
    }
    if (TLS_CODE_PATTERN.test(code)) {
      return 'TLS_ERROR';
    }
    // Older OpenSSL failures surface as EPROTO with an "SSL routines" message.
    if (code === 'EPROTO' && /ssl|tls/i.test(messageOf(error))) {
      return 'TLS_ERROR';
    }
  }

  // DOMExceptions from AbortSignal.timeout() and AbortSignal.abort() carry a name, not a code.
  const name = (error as { name?: unknown }).name;
  if (name === 'TimeoutError') {
    return 'TIMEOUT';
  }
  if (name === 'AbortError') {
    return 'INTERRUPTED';
  }

  return null;
}

function* errorChain(error: unknown): Generator<unknown> {
  const queue: unknown[] = [error];
  const seen = new Set<unknown>();

  while (queue.length > 0 && seen.size < MAX_ERRORS_VISITED) {
    const current = queue.shift();
    if (current === undefined || current === null || seen.has(current)) {
      continue;
    }
    seen.add(current);
    yield current;

    if (typeof current !== 'object') {
      continue;
    }
    const nested = (current as { errors?: unknown }).errors;
    if (Array.isArray(nested)) {
      queue.push(...nested);
    }
    queue.push((current as { cause?: unknown }).cause);
  }
}

function describe(errorType: ErrorType, error: unknown): string {
  const detail = messageOf(error);
  const code = typeof error === 'object' && error !== null ? codeOf(error) : null;

  let message: string;
  if (code !== null && OWN_ERROR_CODES.has(code)) {
    message = detail;
  } else if (detail === '') {
    message = code === null ? SUMMARY_BY_TYPE[errorType] : `${SUMMARY_BY_TYPE[errorType]} (${code})`;
  } else if (code === null || detail.includes(code)) {
    message = `${SUMMARY_BY_TYPE[errorType]}: ${detail}`;
  } else {
    message = `${SUMMARY_BY_TYPE[errorType]}: ${detail} (${code})`;
  }

  return message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : message;
}

function codeOf(error: object): string | null {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code !== '' ? code : null;
}

function messageOf(error: unknown): string {
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)) {
    const message = (error as { message?: unknown }).message;
    return typeof message === 'string' ? message.trim() : '';
  }
  return typeof error === 'string' ? error.trim() : '';
}
