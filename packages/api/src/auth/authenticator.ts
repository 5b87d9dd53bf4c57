import { apiKeyMatches, apiKeyPrefixOf } from '@api-scheduler/core';
import type { ApiKeyScope, Clock } from '@api-scheduler/core';
import type { Store } from '@api-scheduler/db';
import type { Logger } from 'pino';

import { FailureLimiter } from './failure-limiter.js';
import { bearerCredentialOf, sessionIdOf } from './request-info.js';
import type { RequestInfo } from './request-info.js';
import { SessionStore } from './session-store.js';

/** The sender of a request: any caller of an open server, the holder of a key, or a signed-in browser. */
export interface Principal {
  via: 'open' | 'key' | 'session';
  scope: ApiKeyScope;
  /** The key presented or signed in with; null on an open server. */
  keyId: string | null;
}

/** Why a request was not authenticated, as the status it gets: 401, or 429 while its address is blocked. */
export type AuthFailure =
  | { code: 'UNAUTHORIZED'; message: string; invalidToken: boolean }
  | { code: 'TOO_MANY_REQUESTS'; message: string; retryAfterSeconds: number };

export type AuthResult = { ok: true; principal: Principal } | { ok: false; failure: AuthFailure };

export interface AuthenticatorOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  /**
   * Access while no unrevoked key exists: true serves every request with
   * full access (a loopback bind, or --insecure), false rejects every
   * request until a key is created.
   */
  openWithoutKeys: boolean;
  /** How long a session lasts after sign-in. Default 12 hours. */
  sessionTtlMs?: number;
  /** Maximum age of the count of unrevoked keys before a request reads it again. Default 5 seconds. */
  keyCountMaxAgeMs?: number;
  /** The shortest time between two writes of one key's last_used_at. Default 1 minute. */
  lastUsedIntervalMs?: number;
  /** Failed attempts from one address within failureWindowMs before it gets 429. Default 10 per minute. */
  failureLimit?: number;
  failureWindowMs?: number;
}

/** The command printed wherever a key must be created first. */
export const CREATE_KEY_COMMAND = 'npm run cli -- keys create --name admin --scope admin';

/** The principal of every request to a server without keys that serves them openly. */
export const OPEN_ACCESS: Principal = { via: 'open', scope: 'admin', keyId: null };

/**
 * Authenticates requests by API key (Authorization: Bearer) or session
 * cookie. Authentication is on while at least one unrevoked key exists.
 * Keys created or revoked through the API take effect at once. Keys created
 * or revoked with the CLI or by another process are seen within
 * keyCountMaxAgeMs, and a valid key is accepted at once in any case.
 */
export class Authenticator {
  readonly sessions: SessionStore;
  private readonly failures: FailureLimiter;
  private readonly keyCountMaxAgeMs: number;
  private readonly lastUsedIntervalMs: number;
  private keyCount: { value: number; readAt: number } | null = null;
  private keyCountRead: Promise<number> | null = null;
  /** When each key's last_used_at was last written by this process. */
  private readonly lastUseWrites = new Map<string, number>();

  constructor(private readonly options: AuthenticatorOptions) {
    this.sessions = new SessionStore(options.sessionTtlMs ?? 12 * 3_600_000);
    this.failures = new FailureLimiter(options.failureLimit ?? 10, options.failureWindowMs ?? 60_000);
    this.keyCountMaxAgeMs = options.keyCountMaxAgeMs ?? 5_000;
    this.lastUsedIntervalMs = options.lastUsedIntervalMs ?? 60_000;
  }

  /** Reads the number of unrevoked keys from the database now, and keeps it for the next requests. */
  countActiveKeys(): Promise<number> {
    this.keyCountRead ??= (async () => {
      try {
        const value = await this.options.store.countActiveApiKeys();
        this.keyCount = { value, readAt: this.options.clock.now() };
        return value;
      } finally {
        this.keyCountRead = null;
      }
    })();
    return this.keyCountRead;
  }

  /** Tells whether requests must authenticate, from a key count at most keyCountMaxAgeMs old. */
  async isRequired(): Promise<boolean> {
    const cached = this.keyCount;
    if (cached !== null && this.options.clock.now() - cached.readAt < this.keyCountMaxAgeMs) return cached.value > 0;
    return (await this.countActiveKeys()) > 0;
  }

  /** Re-reads the key count after a key was created or revoked, and ends the sessions of a revoked key. */
  async keysChanged(revokedKeyId?: string): Promise<void> {
    if (revokedKeyId !== undefined) this.sessions.deleteForKey(revokedKeyId);
    await this.countActiveKeys();
  }

  /**
   * Finds out who sent a request. A bearer key is checked whenever one is
   * sent, even on an open server, so a mistyped key is reported instead of
   * silently ignored. `request` undefined is an in-process call with no
   * credentials.
   */
  async authenticate(request: RequestInfo | undefined): Promise<AuthResult> {
    const bearer = request === undefined ? ({ kind: 'absent' } as const) : bearerCredentialOf(request);
    if (bearer.kind === 'malformed') {
      return this.reject('Invalid Authorization header: send "Authorization: Bearer KEY"', true);
    }
    if (bearer.kind === 'token') return this.verifyKey(bearer.token, request!);

    const required = await this.isRequired();
    const sessionId = request === undefined ? null : sessionIdOf(request);
    if (sessionId !== null && required) return this.verifySession(sessionId);

    if (required) {
      return this.reject('Authentication required: send "Authorization: Bearer KEY", or sign in through the web UI', false);
    }
    if (!this.options.openWithoutKeys) {
      return this.reject(`Authentication required, but no API key exists yet: create one on the server with \`${CREATE_KEY_COMMAND}\``, false);
    }
    return { ok: true, principal: OPEN_ACCESS };
  }

  /** Checks a key for sign-in and starts a session for it. */
  async signIn(key: string, request: RequestInfo): Promise<{ ok: true; sessionId: string; principal: Principal; expiresAt: Date } | { ok: false; failure: AuthFailure }> {
    const verified = await this.verifyKey(key, request);
    if (!verified.ok) return verified;

    const { keyId, scope } = verified.principal;
    const { id, session } = this.sessions.create(keyId!, scope, this.options.clock.now());
    this.options.logger.info({ key_id: keyId, scope, address: request.remoteAddress }, 'Signed in with an API key');
    return { ok: true, sessionId: id, principal: { via: 'session', scope, keyId }, expiresAt: new Date(session.expiresAt) };
  }

  /** Ends the request's session, if it has one. */
  signOut(request: RequestInfo): void {
    const sessionId = sessionIdOf(request);
    if (sessionId !== null) this.sessions.delete(sessionId);
  }

  private async verifyKey(token: string, request: RequestInfo): Promise<AuthResult> {
    const now = this.options.clock.now();
    const address = request.remoteAddress;
    const retryAfterSeconds = this.failures.retryAfterSeconds(address, now);
    if (retryAfterSeconds !== null) {
      return {
        ok: false,
        failure: { code: 'TOO_MANY_REQUESTS', message: `Too many failed authentication attempts from ${address}: try again in ${retryAfterSeconds} s`, retryAfterSeconds },
      };
    }

    const prefix = apiKeyPrefixOf(token);
    const stored = prefix === null ? null : await this.options.store.findApiKeyByPrefix(prefix);
    if (stored === null || !apiKeyMatches(token, stored.hash)) {
      return this.recordFailure(address, prefix, 'Invalid API key: no key matches it');
    }
    if (stored.revoked_at !== null) {
      return this.recordFailure(address, prefix, `API key sk_${prefix}_… was revoked at ${stored.revoked_at.toISOString()}: use another key`);
    }

    this.recordUse(stored.id, now);
    // A key that the CLI created while this process counted none turns authentication on now.
    if (this.keyCount?.value === 0) void this.countActiveKeys().catch(() => undefined);
    return { ok: true, principal: { via: 'key', scope: stored.scope, keyId: stored.id } };
  }

  private async verifySession(sessionId: string): Promise<AuthResult> {
    const now = this.options.clock.now();
    const session = this.sessions.find(sessionId, now);
    if (session === null) return this.reject('The session has expired or was signed out: sign in again', true);

    // Read again on every request, so a key revoked by the CLI or another process ends its sessions at once.
    const key = await this.options.store.getApiKey(session.keyId);
    if (key === null || key.revoked_at !== null) {
      this.sessions.delete(sessionId);
      return this.reject('The API key of this session was revoked: sign in with another key', true);
    }

    this.recordUse(key.id, now);
    return { ok: true, principal: { via: 'session', scope: key.scope, keyId: key.id } };
  }

  private reject(message: string, invalidToken: boolean): AuthResult {
    return { ok: false, failure: { code: 'UNAUTHORIZED', message, invalidToken } };
  }

  private recordFailure(address: string, prefix: string | null, message: string): AuthResult {
    const now = this.options.clock.now();
    const logger = this.options.logger;
    const blocked = this.failures.recordFailure(address, now);
    // One line per failure is bounded by the limit: a blocked address gets 429 without a key check or a log line.
    logger.warn({ address, key_prefix: prefix }, 'API key rejected');
    if (blocked) {
      logger.warn({ address, limit: this.failures.limit, window_ms: this.failures.windowMs }, 'Too many failed authentication attempts: blocking the address');
    }
    return this.reject(message, true);
  }

  private recordUse(keyId: string, now: number): void {
    const lastWrite = this.lastUseWrites.get(keyId);
    if (lastWrite !== undefined && now - lastWrite < this.lastUsedIntervalMs) return;

    this.lastUseWrites.set(keyId, now);
    this.options.store.touchApiKey(keyId, new Date(now)).catch((error: unknown) => {
      this.options.logger.warn({ err: error, key_id: keyId }, 'Failed to record the last use of an API key');
    });
  }
}
