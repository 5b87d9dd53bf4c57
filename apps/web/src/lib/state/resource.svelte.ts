/**
 * The result of a load promise for a page: `value` keeps the last result
 * while a reload runs, so a refresh does not blank the page, and `error` is
 * set only when the latest load failed.
 */
export class Resource<T> {
  value = $state<T | undefined>(undefined);
  error = $state<unknown>(undefined);
  loading = $state(true);
  #generation = 0;

  /** Follows a new load; a slower, older load that settles later is ignored. */
  track(promise: Promise<T>): void {
    const generation = ++this.#generation;
    this.loading = true;
    promise.then(
      (value) => {
        if (generation !== this.#generation) return;
        this.value = value;
        this.error = undefined;
        this.loading = false;
      },
      (error: unknown) => {
        if (generation !== this.#generation) return;
        this.error = error;
        this.loading = false;
      },
    );
  }
}
