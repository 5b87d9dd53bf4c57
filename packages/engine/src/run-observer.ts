import { EventEmitter } from 'node:events';

import type { Run } from '@api-scheduler/core';
import type { ClaimedFire } from '@api-scheduler/db';

/**
 * Receives runs as they start and finish, after the database has them.
 * Observers run synchronously on the engine's hot path: they must be quick
 * and must not throw (a thrown error is logged and ignored).
 */
export interface RunObserver {
  onRunStarted?(run: Run): void;
  onRunFinished?(run: Run): void;
  /**
   * A fire has ended: `run` is its last attempt, recorded, with no retry to
   * follow. Not called for skipped fires or for fires cut short by a shutdown.
   */
  onFireFinished?(fire: ClaimedFire, run: Run): void;
}

export interface RunEventMap {
  started: [Run];
  finished: [Run];
}

/** Fans runs out to listeners, such as the live-runs subscription of the API. */
export class RunEvents extends EventEmitter<RunEventMap> implements RunObserver {
  constructor() {
    super();
    // Every open subscription adds a listener; the default warning at 10 would fire on an ordinary dashboard load.
    this.setMaxListeners(0);
  }

  onRunStarted(run: Run): void {
    this.emit('started', run);
  }

  onRunFinished(run: Run): void {
    this.emit('finished', run);
  }
}
