import type { Logger } from 'pino';

import { DatabaseOpenError, createStore } from '@api-scheduler/db';
import type { Store } from '@api-scheduler/db';

/** Opens the database of DATABASE_URL and applies pending migrations; failures become a DatabaseOpenError. */
export async function openStore(url: string, logger: Logger): Promise<Store> {
  const store = await createStore({ url, logger });
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw new DatabaseOpenError(url, 'migrate', error);
  }
  return store;
}
