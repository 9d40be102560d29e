/**
 * Splits decoded text chunks into lines. Chunks may cut a line anywhere; the remainder waits for
 * the next chunk. Lines end with "\n" (a trailing "\r" is left for the parser to trim).
 */
export class LineSplitter {
  private rest = '';

  /** Appends the complete lines of `chunk` (with what was left over before) to `out`. */
  push(chunk: string, out: string[]): void {
    const text = this.rest.length > 0 ? this.rest + chunk : chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      if (nl > start) out.push(text.slice(start, nl));
      start = nl + 1;
    }
    this.rest = start === 0 ? text : text.slice(start);
  }

  /** The last line when the text did not end with a newline (possibly cut mid-write). */
  end(out: string[]): void {
    if (this.rest.length > 0) out.push(this.rest);
    this.rest = '';
  }
}
