/**
 * The current time, updated once a second for countdowns. It only ticks a
 * local timer and sends no request. The timer runs while at least one
 * component reads `now`.
 */
class Clock {
  #now = $state(Date.now());
  #subscribers = 0;
  #timer: ReturnType<typeof setInterval> | null = null;

  get now(): number {
    if ($effect.tracking()) {
      $effect(() => {
        this.#subscribers += 1;
        if (this.#timer === null) this.#timer = setInterval(() => (this.#now = Date.now()), 1_000);
        return () => {
          this.#subscribers -= 1;
          if (this.#subscribers === 0 && this.#timer !== null) {
            clearInterval(this.#timer);
            this.#timer = null;
          }
        };
      });
    }
    return this.#now;
  }
}

export const clock = new Clock();
