import { LibsqlError } from '@libsql/client';

export type ConstraintKind = 'unique' | 'primary_key' | 'foreign_key';

const constraintKinds: Record<string, ConstraintKind> = {
  SQLITE_CONSTRAINT_UNIQUE: 'unique',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'primary_key',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'foreign_key',
};

/** Returns the kind of constraint that a failed statement violated, or null for any other error. */
export function violatedConstraint(error: unknown): ConstraintKind | null {
  // drizzle wraps the driver's error in its own, as `cause`.
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    if (current instanceof LibsqlError) return constraintKinds[current.extendedCode ?? ''] ?? null;
    current = current.cause;
  }
  return null;
}
