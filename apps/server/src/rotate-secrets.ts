import type { Logger } from 'pino';

import type { Store } from '@api-scheduler/db';
import { resealTarget } from '@api-scheduler/engine';
import type { SecretCipher } from '@api-scheduler/engine';

export interface RotateSecretsResult {
  /** Targets read. */
  checked: number;
  /** Targets whose secrets were written again under the current key. */
  reencrypted: number;
}

const PAGE_SIZE = 200;

/**
 * Re-encrypts every target's secret header values and signing secret with
 * the cipher's current key: values under a previous key, and plain values
 * stored before SCHEDULER_SECRET_KEY was set. A target's updated_at stays
 * as it was, because its configuration did not change.
 *
 * Throws SecretDecryptionError at the first value that no known key
 * decrypts, and its message contains no secret. Targets before that one are
 * already re-encrypted, so running the command again with the right keys
 * finishes the job.
 */
export async function rotateSecrets(store: Store, cipher: SecretCipher, logger: Logger): Promise<RotateSecretsResult> {
  const result: RotateSecretsResult = { checked: 0, reencrypted: 0 };

  let cursor: string | undefined;
  for (;;) {
    const page = await store.listTargets({ limit: PAGE_SIZE, ...(cursor === undefined ? {} : { cursor }) });
    for (const target of page.items) {
      result.checked += 1;
      const sealed = resealTarget(target, cipher);
      if (sealed === null) continue;

      await store.updateTarget(target.id, { ...sealed, updated_at: target.updated_at });
      result.reencrypted += 1;
      logger.debug({ target_id: target.id }, 're-encrypted the secrets of a target');
    }
    if (page.next_cursor === null) return result;
    cursor = page.next_cursor;
  }
}
