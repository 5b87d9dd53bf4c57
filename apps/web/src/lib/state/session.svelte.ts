import { scopeAllowsAction } from '../scope';
import type { Scope, Session } from '../api/types';

/** What the signed-in caller may do, from auth.session; null until it has loaded. */
class SessionState {
  current = $state<Session | null>(null);

  get scope(): Scope | null {
    return this.current?.scope ?? null;
  }

  /** True when the caller's scope covers `required`. */
  can(required: Scope): boolean {
    return scopeAllowsAction(this.scope, required);
  }

  /** The reason shown on a control that the scope cannot use, or undefined when it can. */
  reasonIfDenied(required: Scope): string | undefined {
    if (this.can(required)) return undefined;
    return `Needs an API key with scope ${required}; this session has scope ${this.scope ?? 'none'}`;
  }
}

export const session = new SessionState();
