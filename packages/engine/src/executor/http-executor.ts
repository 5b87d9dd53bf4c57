import { pino, type Logger } from 'pino';
import { Agent, request } from 'undici';

import { BodyExcerptCollector, readBodyInto } from './body-excerpt.js';
import { classifyError } from './classify-error.js';
import { ConcurrencyLimiter, type ReleaseSlot } from './concurrency-limiter.js';
import { RequestInterruptedError, RequestTimeoutError } from './errors.js';
import {
  buildExecutionResult,
  buildUnsentResult,
  errorTypeOfStatus,
  type AttemptError,
  type AttemptProgress,
} from './execution-result.js';
import { resolveExecutorOptions, type ExecutorOptions } from './options.js';
import { planRedirect, refusedRedirectReason, type HopRequest } from './redirect.js';
import { buildRequestHeaders, methodSendsBody } from './request-headers.js';
import { buildGuardedConnector } from './guarded-connector.js';
import { flattenResponseHeaders } from './response-headers.js';
import type { ExecutionResult, HttpRequestSpec } from './types.js';

const UNDICI_TIMEOUT_MARGIN_MS = 1_000;

// A redirect body up to this size is read to the end, so its connection can be
// reused. A larger one is dropped together with its connection.
const REDIRECT_BODY_DRAIN_BYTES = 64 * 1024;

/**
 * Sends scheduled HTTP requests over one pooled keep-alive agent, under a
 * global and a per-origin concurrency cap, and turns every outcome into an
 * `ExecutionResult`.
 */
export class HttpExecutor {
  readonly #options: ExecutorOptions;
  readonly #agent: Agent;
  readonly #limiter: ConcurrencyLimiter;
  readonly #logger: Logger;
  #inFlight = 0;
  #closed = false;

  constructor(options: Partial<ExecutorOptions> = {}, logger?: Logger) {
    this.#options = resolveExecutorOptions(options);
    this.#logger = (logger ?? pino({ level: 'silent' })).child({ component: 'http-executor' });

    // The agent's pools stay unbounded because the limiter already caps
    // requests per origin, and a second queue inside undici would count its
    // waiting time toward the request's timeouts. Every new connection goes
    // through the guarded connector, which checks the address it connects to.
    this.#agent = new Agent({
      connect: buildGuardedConnector({
        connectTimeoutMs: this.#options.connectTimeoutMs,
        lookup: this.#options.lookup,
        policy: this.#options.addressPolicy,
        logger: this.#logger,
      }),
    });
    this.#limiter = new ConcurrencyLimiter(this.#options.maxConcurrency, this.#options.maxPerHost);
  }

  /** The global cap on requests in flight. */
  get maxConcurrency(): number {
    return this.#options.maxConcurrency;
  }

  /** Requests holding a concurrency slot, from sending until their body is read. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Requests waiting for a concurrency slot. */
  get queued(): number {
    return this.#limiter.queued;
  }

  /**
   * Sends one attempt of `spec`, following redirects. Request failures become
   * FAILURE results instead of exceptions, and the promise rejects only for a
   * `timeoutMs` that is not a positive number. An aborted `signal` ends the
   * attempt, queued or in flight, as INTERRUPTED.
   */
  async execute(spec: HttpRequestSpec, signal?: AbortSignal): Promise<ExecutionResult> {
    if (!Number.isFinite(spec.timeoutMs) || spec.timeoutMs <= 0) {
      throw new RangeError(`Invalid timeoutMs ${spec.timeoutMs}: expected a positive number of milliseconds`);
    }

    const url = parseRequestUrl(spec.url);
    if (!(url instanceof URL)) {
      return buildUnsentResult(spec.url, url);
    }

    let release: ReleaseSlot;
    try {
      release = await this.#limiter.acquire(url.origin, signal);
    } catch (error) {
      return buildUnsentResult(spec.url, classifyUnsent(error));
    }

    this.#inFlight += 1;
    try {
      return await this.#sendAttempt(spec, url, signal);
    } finally {
      this.#inFlight -= 1;
      // undici 7 marks a connection free for its pool a tick after the body
      // ends. Releasing the slot at once would send the next queued request
      // to this origin over a new connection instead of reusing this one.
      setImmediate(release);
    }
  }

  /**
   * Rejects queued requests as INTERRUPTED, lets requests in flight finish,
   * then closes the agent's connections. Abort the signals passed to
   * `execute` first to stop requests in flight sooner.
   */
  async close(): Promise<void> {
    if (this.#closed) {
      return;
    }
    this.#closed = true;

    this.#limiter.close(new RequestInterruptedError('Request interrupted: the executor closed before it was sent'));
    await this.#agent.close();
  }

  async #sendAttempt(spec: HttpRequestSpec, url: URL, signal?: AbortSignal): Promise<ExecutionResult> {
    // The total timeout starts only now, so time spent queued for a slot does not count.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new RequestTimeoutError(spec.timeoutMs)), spec.timeoutMs);
    const onCallerAbort = (): void => {
      controller.abort(new RequestInterruptedError('Request interrupted: the caller aborted it', { cause: signal?.reason }));
    };
    if (signal?.aborted) {
      onCallerAbort();
    } else {
      signal?.addEventListener('abort', onCallerAbort, { once: true });
    }

    const body = methodSendsBody(spec.method) ? spec.body : null;
    const progress: AttemptProgress = {
      startedAt: performance.now(),
      url,
      statusCode: null,
      headers: null,
      body: null,
    };

    try {
      const firstHop: HopRequest = {
        url,
        method: spec.method,
        headers: buildRequestHeaders(spec.headers, body, this.#options.userAgent),
        body,
      };
      const result = await this.#followHops(firstHop, progress, controller.signal, spec.timeoutMs);
      this.#logFinished(spec, result);
      return result;
    } catch (error) {
      // Once the attempt is aborted, the abort reason explains the failure
      // better than whatever error the torn-down stream raised.
      const cause = controller.signal.aborted ? controller.signal.reason : error;
      const classification = classifyError(cause);
      if (classification.errorType === 'TIMEOUT' && cause instanceof RequestTimeoutError) {
        classification.message += progress.statusCode === null ? ' waiting for the response' : ' reading the response body';
      }
      if (classification.errorType === 'NETWORK_ERROR') {
        this.#logger.warn({ ...spec.logFields, err: cause, origin: progress.url.origin }, 'HTTP request failed with an unclassified error');
      }

      const result = buildExecutionResult(progress, classification);
      this.#logFinished(spec, result);
      return result;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  async #followHops(
    firstHop: HopRequest,
    progress: AttemptProgress,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<ExecutionResult> {
    const deadline = progress.startedAt + timeoutMs;
    let hop = firstHop;

    for (let redirects = 0; ; redirects += 1) {
      progress.url = hop.url;
      progress.statusCode = null;
      progress.headers = null;
      await this.#options.checkTarget?.(hop.url, redirects);

      // The abort signal enforces the total, including for a trickling body.
      // undici's own timeouts are a backstop a second later, so that they do
      // not race the signal and report the timeout with a different message.
      const remainingMs = Math.max(1, Math.ceil(deadline - performance.now())) + UNDICI_TIMEOUT_MARGIN_MS;
      const response = await request(hop.url, {
        dispatcher: this.#agent,
        method: hop.method,
        headers: hop.headers,
        body: hop.body,
        signal,
        headersTimeout: remainingMs,
        bodyTimeout: remainingMs,
      });
      progress.statusCode = response.statusCode;
      progress.headers = flattenResponseHeaders(response.headers);

      const next = planRedirect(hop, response.statusCode, response.headers.location);
      if (next !== null && redirects < this.#options.maxRedirects) {
        await response.body.dump({ limit: REDIRECT_BODY_DRAIN_BYTES, signal });
        this.#logger.debug(
          { statusCode: response.statusCode, from: hop.url.origin, to: next.url.origin, method: next.method },
          'Following redirect',
        );
        hop = next;
        continue;
      }

      progress.body = new BodyExcerptCollector(this.#options.excerptBytes, this.#options.maxBodyBytes);
      await readBodyInto(response.body, progress.body);

      if (next !== null) return buildExecutionResult(progress, tooManyRedirects(this.#options.maxRedirects));
      const refused = refusedRedirectReason(hop, response.statusCode, response.headers.location);
      return buildExecutionResult(progress, refused === null ? statusError(response.statusCode) : { errorType: 'NETWORK_ERROR', message: refused });
    }
  }

  #logFinished(spec: HttpRequestSpec, result: ExecutionResult): void {
    // Only the origin is logged: paths and query strings can carry tokens.
    this.#logger.debug(
      {
        ...spec.logFields,
        method: spec.method,
        origin: originOf(result.finalUrl),
        status: result.status,
        statusCode: result.statusCode,
        errorType: result.errorType,
        latencyMs: result.latencyMs,
        responseSize: result.responseSize,
      },
      'HTTP request finished',
    );
  }
}

function parseRequestUrl(raw: string): URL | AttemptError {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The URL is left out of the message because its query string may hold a token.
    return { errorType: 'NETWORK_ERROR', message: 'Invalid URL: expected an absolute http:// or https:// URL' };
  }

  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      errorType: 'NETWORK_ERROR',
      message: `Unsupported URL scheme "${url.protocol.slice(0, -1)}": only http and https are allowed`,
    };
  }
  return url;
}

function classifyUnsent(error: unknown): AttemptError {
  if (error instanceof RequestInterruptedError) {
    return { errorType: 'INTERRUPTED', message: error.message };
  }
  return { errorType: 'INTERRUPTED', message: 'Request interrupted: the caller aborted it before it was sent' };
}

function statusError(statusCode: number): AttemptError | null {
  const errorType = errorTypeOfStatus(statusCode);
  if (errorType === null) {
    return null;
  }
  return { errorType, message: `Server responded with HTTP ${statusCode}` };
}

function tooManyRedirects(maxRedirects: number): AttemptError {
  return {
    errorType: 'TOO_MANY_REDIRECTS',
    message: `Too many redirects: more than the maximum of ${maxRedirects}`,
  };
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid URL';
  }
}
