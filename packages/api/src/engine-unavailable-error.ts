/**
 * Raised by a request that needs the scheduler engine in a process that runs
 * without one (SCHEDULER_ROLE=api). The API maps it to 503.
 */
export class EngineUnavailableError extends Error {
  constructor(action: string) {
    super(`${action} is not available: this process runs with SCHEDULER_ROLE=api and has no scheduler engine. Send the request to a process with SCHEDULER_ROLE=all`);
    this.name = 'EngineUnavailableError';
  }
}
