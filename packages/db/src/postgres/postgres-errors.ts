import pg from 'pg';

export type ConstraintKind = 'unique' | 'foreign_key';

/** The SQLSTATE codes of the constraint violations that the store maps to domain errors. */
const constraintKinds: Record<string, ConstraintKind> = {
  '23505': 'unique',
  '23503': 'foreign_key',
};

export interface ViolatedConstraint {
  kind: ConstraintKind;
  /** The constraint or unique index, such as runs_slot_unique or runs_pkey. */
  name: string | undefined;
}

/** Returns the constraint that a failed statement violated, or null for any other error. */
export function violatedConstraint(error: unknown): ViolatedConstraint | null {
  // drizzle wraps the driver's error in its own, as `cause`.
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    if (current instanceof pg.DatabaseError) {
      const kind = constraintKinds[current.code ?? ''];
      return kind === undefined ? null : { kind, name: current.constraint };
    }
    current = current.cause;
  }
  return null;
}
