/** Result of reading a response body. */
export interface BodyExcerpt {
  /** Bytes read, counted in full. */
  size: number;
  /**
   * UTF-8 decoding of the first bytes, at most the excerpt limit, with each
   * NUL character replaced by U+FFFD, because libSQL would cut the stored
   * text at the first NUL. `size` still counts the original bytes.
   */
  text: string;
  /** True when the text leaves bytes out or reading stopped at the body cap. */
  truncated: boolean;
}

/**
 * Counts the bytes of a body and keeps the first `excerptBytes` of them, so
 * memory stays near the excerpt size whatever the body size.
 */
export class BodyExcerptCollector {
  #size = 0;
  #kept = 0;
  readonly #chunks: Buffer[] = [];
  #capped = false;

  constructor(
    private readonly excerptBytes: number,
    private readonly maxBodyBytes: number,
  ) {}

  /** Adds a chunk. Returns false once the body passed `maxBodyBytes`, when reading has to stop. */
  push(chunk: Buffer): boolean {
    const room = this.maxBodyBytes - this.#size;
    if (chunk.length > room) {
      this.#capped = true;
      chunk = chunk.subarray(0, room);
    }

    this.#size += chunk.length;
    const excerptRoom = this.excerptBytes - this.#kept;
    if (excerptRoom > 0) {
      // Copy, so the excerpt does not pin the whole chunk's memory.
      const excerptPart = Buffer.from(chunk.subarray(0, excerptRoom));
      this.#chunks.push(excerptPart);
      this.#kept += excerptPart.length;
    }

    return !this.#capped;
  }

  result(): BodyExcerpt {
    const truncated = this.#capped || this.#size > this.#kept;
    const bytes = Buffer.concat(this.#chunks, this.#kept);

    // In stream mode TextDecoder holds back an incomplete UTF-8 sequence at
    // the end instead of emitting U+FFFD, so a cut excerpt ends on a whole
    // character. A complete body is decoded in full.
    const text = new TextDecoder('utf-8').decode(bytes, { stream: truncated }).replaceAll('\0', '\uFFFD');

    return { size: this.#size, text, truncated };
  }
}

/**
 * Reads `body` into `collector` until it ends or passes the collector's cap,
 * then destroys the stream so the connection stops receiving. Errors of the
 * stream, such as an abort, are rethrown after the bytes before them were
 * counted.
 */
export async function readBodyInto(body: AsyncIterable<Buffer> & { destroy(): void }, collector: BodyExcerptCollector): Promise<void> {
  for await (const chunk of body) {
    if (!collector.push(chunk)) {
      body.destroy();
      return;
    }
  }
}
