import { Agent, request } from 'undici';

import { TARGET_CONCURRENCY, TARGET_REQUEST } from './workloads.mjs';

/**
 * Sender of the benchmark request (TARGET_REQUEST) to the load target, for
 * the peers and the raw undici baseline. One keep-alive undici Agent opens
 * at most TARGET_CONCURRENCY connections to the target, and further requests
 * wait in undici's queue, as API Scheduler's wait for a per-host slot.
 */
export class PeerRequester {
  #agent = new Agent({ connections: TARGET_CONCURRENCY, keepAliveTimeout: 60_000 });
  #url;
  #inFlight = 0;
  #idle = [];
  completed = 0;
  failed = 0;
  lastCompletedAt = 0;
  firstError = null;

  constructor(targetUrl) {
    this.#url = new URL(TARGET_REQUEST.path, targetUrl);
  }

  /** Sends one request planned for `plannedMs` (Unix ms) and reads its response. Never rejects: a failure is counted. */
  async send(plannedMs) {
    this.#inFlight += 1;
    try {
      const response = await request(this.#url, {
        dispatcher: this.#agent,
        method: TARGET_REQUEST.method,
        headers: { ...TARGET_REQUEST.headers, 'x-planned-at': String(plannedMs) },
        body: TARGET_REQUEST.body,
        headersTimeout: TARGET_REQUEST.timeoutMs,
        bodyTimeout: TARGET_REQUEST.timeoutMs,
      });
      await response.body.text();
      if (response.statusCode >= 400) throw new Error(`load target returned HTTP ${response.statusCode}`);
      this.completed += 1;
      this.lastCompletedAt = Date.now();
    } catch (error) {
      this.failed += 1;
      this.firstError ??= String(error);
    } finally {
      this.#inFlight -= 1;
      if (this.#inFlight === 0) this.#idle.splice(0).forEach((resolve) => resolve());
    }
  }

  /** Waits until no request is in flight. */
  async drain() {
    if (this.#inFlight === 0) return;
    await new Promise((resolve) => this.#idle.push(resolve));
  }

  async close() {
    await this.drain();
    await this.#agent.close();
  }
}
