import { randomBytes } from 'node:crypto';

/**
 * Creates a UUID version 7: 48 bits of Unix milliseconds, then random bits
 * (RFC 9562). Ids sort by creation time, which keeps "newest first" listings
 * and their cursors on the primary key alone.
 */
export function newId(nowMs: number = Date.now()): string {
  const bytes = randomBytes(16);
  let time = nowMs;
  for (let i = 5; i >= 0; i -= 1) {
    bytes[i] = time % 256;
    time = Math.floor(time / 256);
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;

  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isId(value: string): boolean {
  return uuidPattern.test(value);
}
