/** Runs async tasks one at a time, in the order they were submitted. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  runExclusive<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    // The next task waits for this one to settle, whether it succeeds or fails.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
