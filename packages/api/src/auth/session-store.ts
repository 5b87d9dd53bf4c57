import { randomBytes } from 'node:crypto';

import type { ApiKeyScope } from '@api-scheduler/core';

/** A signed-in browser: the key it signed in with, and when the session ends. */
export interface Session {
  keyId: string;
  scope: ApiKeyScope;
  expiresAt: number;
}

// Past this many sessions, each new sign-in first drops the expired ones.
const PRUNE_THRESHOLD = 1_000;

/**
 * Sessions of the web UI, in this process's memory: a restart signs every
 * browser out, and processes behind one load balancer do not share them.
 * Session ids are 256 random bits, so they cannot be guessed.
 */
// TODO: keep sessions in the database if several API processes must share them; until then use sticky sessions or bearer keys.
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(readonly ttlMs: number) {}

  /** Creates a session and returns its id, the cookie value. */
  create(keyId: string, scope: ApiKeyScope, now: number): { id: string; session: Session } {
    if (this.sessions.size >= PRUNE_THRESHOLD) this.pruneExpired(now);

    const id = randomBytes(32).toString('base64url');
    const session: Session = { keyId, scope, expiresAt: now + this.ttlMs };
    this.sessions.set(id, session);
    return { id, session };
  }

  /** Returns the session with this id, or null when there is none or it has expired. */
  find(id: string, now: number): Session | null {
    const session = this.sessions.get(id);
    if (session === undefined) return null;
    if (session.expiresAt <= now) {
      this.sessions.delete(id);
      return null;
    }
    return session;
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  /** Ends every session that signed in with this key. */
  deleteForKey(keyId: string): void {
    for (const [id, session] of this.sessions) {
      if (session.keyId === keyId) this.sessions.delete(id);
    }
  }

  private pruneExpired(now: number): void {
    for (const [id, session] of this.sessions) {
      if (session.expiresAt <= now) this.sessions.delete(id);
    }
  }
}
