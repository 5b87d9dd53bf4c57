import type { Store } from '@api-scheduler/db';

/** Receives the duration of one store call, in seconds, and whether it failed. */
export type StoreCallObserver = (operation: string, seconds: number, failed: boolean) => void;

/**
 * Methods left untimed: a subscription stays open for the life of the
 * process, and close runs once at shutdown.
 */
const UNTIMED_METHODS = new Set(['subscribeScheduleChanges', 'close']);

/**
 * Wraps a store so that every call of a method that returns a promise
 * reports its duration, named by the method ("claimDueSchedules", "ping").
 * Calls reach the store itself as `this`, so classes with private fields
 * keep working.
 */
export function timeStoreCalls(store: Store, observe: StoreCallObserver): Store {
  const wrapped = new Map<string | symbol, unknown>();

  return new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;

      const cached = wrapped.get(property);
      if (cached !== undefined) return cached;

      const method = value as (...args: unknown[]) => unknown;
      const timed = typeof property === 'string' && !UNTIMED_METHODS.has(property);
      const wrapper = timed ? timedMethod(target, property, method, observe) : method.bind(target);
      wrapped.set(property, wrapper);
      return wrapper;
    },
  });
}

function timedMethod(target: Store, operation: string, method: (...args: unknown[]) => unknown, observe: StoreCallObserver) {
  return (...args: unknown[]): unknown => {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;

    let result: unknown;
    try {
      result = method.apply(target, args);
    } catch (error) {
      observe(operation, seconds(), true);
      throw error;
    }
    if (!(result instanceof Promise)) return result;

    return result.then(
      (value: unknown) => {
        observe(operation, seconds(), false);
        return value;
      },
      (error: unknown) => {
        observe(operation, seconds(), true);
        throw error;
      },
    );
  };
}
