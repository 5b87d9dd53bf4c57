/** One field-level validation problem, in the shape REST clients read. */
export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/** Base class of the errors that the API maps to one HTTP status each. */
export abstract class DomainError extends Error {
  abstract readonly code: 'NOT_FOUND' | 'CONFLICT' | 'VALIDATION';
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';

  constructor(
    readonly entity: 'target' | 'schedule' | 'run' | 'API key',
    readonly id: string,
  ) {
    super(`${entity[0]!.toUpperCase()}${entity.slice(1)} ${id} was not found`);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';

  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class ValidationError extends DomainError {
  readonly code = 'VALIDATION';

  constructor(readonly issues: ValidationIssue[]) {
    super(issues.map((issue) => issue.msg).join('; '));
    this.name = 'ValidationError';
  }

  static at(loc: (string | number)[], msg: string, type = 'value_error'): ValidationError {
    return new ValidationError([{ loc, msg, type }]);
  }
}
