/**
 * Returns the promise after marking it as handled. A load returns promises
 * that the page awaits later (in an effect), so a quick failure would
 * otherwise be reported as an unhandled rejection first. The page still
 * receives the rejection.
 */
export function deferred<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
