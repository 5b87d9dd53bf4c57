import type { IncomingMessage } from 'node:http';

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too_large' | 'aborted' };

/**
 * Reads a request body, keeping at most `limit` bytes. A larger body is
 * still read to its end and dropped, so the client receives the 413 instead
 * of a reset connection.
 */
export async function readBody(request: IncomingMessage, limit: number): Promise<BodyResult> {
  const chunks: Buffer[] = [];
  let size = 0;

  try {
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    }
  } catch {
    return { ok: false, reason: 'aborted' };
  }

  if (size > limit) return { ok: false, reason: 'too_large' };
  return { ok: true, body: Buffer.concat(chunks, size) };
}
