import { randomFillSync } from 'node:crypto';

// Ids made within this many milliseconds after a later one (a clock stepping
// back a little) continue that later id's sequence instead of sorting before it.
const MAX_BACKWARD_STEP_MS = 10_000;
const MAX_SEQUENCE = 0xfff;

let lastMs = -Infinity;
let sequence = 0;

// Random bytes are read from the CSPRNG 4 KiB at a time, because one
// randomBytes(16) call per id cost 2.5-3.5% of the engine's CPU in
// bench/benchmarks/throughput.mjs. crypto.randomUUID caches its random data
// the same way by default (Node.js 20 docs, disableEntropyCache).
const RANDOM_POOL_BYTES = 4096;
const randomPool = Buffer.alloc(RANDOM_POOL_BYTES);
let randomPoolOffset = RANDOM_POOL_BYTES;

/** Copies 16 fresh random bytes into `target`; no byte of the pool is handed out twice. */
function fillRandom16(target: Buffer): void {
  if (randomPoolOffset + 16 > RANDOM_POOL_BYTES) {
    randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  randomPool.copy(target, 0, randomPoolOffset, randomPoolOffset + 16);
  randomPoolOffset += 16;
}

/**
 * Creates a UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, a 12-bit
 * sequence, then random bits. Ids from one process sort in creation order,
 * also within one millisecond (the sequence counts up, as in the RFC's
 * "fixed bit-length dedicated counter" method), which keeps "newest first"
 * listings and their cursors on the primary key alone.
 */
export function newId(nowMs: number = Date.now()): string {
  const bytes = Buffer.allocUnsafe(16);
  fillRandom16(bytes);

  let ms = nowMs;
  if (ms <= lastMs && lastMs - ms < MAX_BACKWARD_STEP_MS) {
    ms = lastMs;
    sequence += 1;
    if (sequence > MAX_SEQUENCE) {
      ms = lastMs + 1;
      sequence = 0;
    }
  } else {
    // Start low in the range so that many ids fit in the same millisecond.
    // Byte 6 is overwritten below, so its random bits serve here.
    sequence = bytes[6]! & 0x7f;
  }
  lastMs = ms;

  let time = ms;
  for (let i = 5; i >= 0; i -= 1) {
    bytes[i] = time % 256;
    time = Math.floor(time / 256);
  }
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;

  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isId(value: string): boolean {
  return uuidPattern.test(value);
}

/**
 * Returns the lowest id that sorts at Unix millisecond `ms`: every id that
 * newId makes at `ms` or later sorts after it, and every id made earlier
 * sorts before it, so "id > firstIdAt(t)" selects the ids made from t on.
 */
export function firstIdAt(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}
