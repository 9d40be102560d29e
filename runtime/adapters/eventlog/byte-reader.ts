/** Pulls exact byte counts out of a stream of chunks, for decoders of framed formats. */
export class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Bytes consumed so far, for error messages. */
  offset = 0;

  constructor(private readonly chunks: AsyncIterator<Uint8Array>) {}

  /** Makes `n` bytes available; false when the input ends first. */
  async ensure(n: number): Promise<boolean> {
    while (this.buf.length - this.pos < n) {
      const next = await this.chunks.next();
      if (next.done === true) return false;
      const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
      this.buf = this.pos >= this.buf.length ? chunk : Buffer.concat([this.buf.subarray(this.pos), chunk]);
      this.pos = 0;
    }
    return true;
  }

  /** True when no byte is left, reading more input if needed. */
  async atEnd(): Promise<boolean> {
    return !(await this.ensure(1));
  }

  /** The next `n` bytes (call ensure(n) first); a view, valid until the next ensure(). */
  take(n: number): Buffer {
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    this.offset += n;
    return out;
  }

  peek(n: number): Buffer {
    return this.buf.subarray(this.pos, this.pos + n);
  }
}

/** A compressed event log that cannot be decoded past some byte (cut mid-write or damaged). */
export class EventLogDecodeError extends Error {
  constructor(
    readonly codec: string,
    readonly offset: number,
    detail: string,
  ) {
    super(`${codec} event log: cannot decode at byte ${offset}: ${detail}`);
    this.name = 'EventLogDecodeError';
  }
}
