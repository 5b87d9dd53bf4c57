import type { Scope } from './api/types';

const ORDER: Scope[] = ['read', 'write', 'admin'];

/** Tells whether a session with scope `granted` may use a control that needs `required`: read < write < admin. */
export function scopeAllowsAction(granted: Scope | null, required: Scope): boolean {
  if (granted === null) return false;
  return ORDER.indexOf(granted) >= ORDER.indexOf(required);
}
