// What a background service wrote, stdout and stderr as they came, kept up to a bound with
// absolute offsets (so service_logs can read on from where it stopped), line by line for its
// ready line (ready-line.ts).

/** How many bytes of a service's output are kept in memory (the newest; older ones are dropped). */
export const SERVICE_OUTPUT_BYTES = 1024 * 1024;

/**
 * A service's output in arrival order, the newest {@link SERVICE_OUTPUT_BYTES}
 * kept. Offsets count every byte it ever wrote.
 *
 * @example
 * const output = new ServiceOutput();
 * output.push(Buffer.from('listening on 8765\n'));
 * output.lastLines(1); // ['listening on 8765']
 */
export class ServiceOutput {
  readonly #limit: number;
  #chunks: Buffer[] = [];
  #kept = 0;
  #total = 0;
  // the tail of the output not yet ended by a newline, for ready-line matching across chunks
  #partial = '';
  readonly #listeners = new Set<(line: string) => void>();

  constructor(limit = SERVICE_OUTPUT_BYTES) {
    this.#limit = limit;
  }

  /** Bytes written in all. */
  get total(): number {
    return this.#total;
  }

  push(chunk: Buffer): void {
    this.#total += chunk.length;
    this.#chunks.push(chunk);
    this.#kept += chunk.length;
    while (this.#chunks.length > 1 && this.#kept - this.#chunks[0]!.length >= this.#limit)
      this.#kept -= this.#chunks.shift()!.length;
    if (this.#listeners.size === 0) return;
    const lines = (this.#partial + chunk.toString('utf8')).split('\n');
    this.#partial = lines.pop()!.slice(-4096);
    for (const line of lines) for (const listener of this.#listeners) listener(line);
    // a prompt without a newline ("ready> ") is a line too, for the matcher
    if (this.#partial !== '') for (const listener of this.#listeners) listener(this.#partial);
  }

  /** Call `listener` with each line as it comes (and the unfinished last one); returns the unsubscribe. */
  onLine(listener: (line: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The last `count` lines kept (a last line without its newline included). */
  lastLines(count: number): string[] {
    const text = this.#text();
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-count);
  }

  /** The bytes from `offset` (at most `max`); `start` is where the text begins, later than `offset` when those bytes were dropped. */
  from(offset: number, max: number): { text: string; start: number; end: number } {
    const all = Buffer.concat(this.#chunks);
    const first = this.#total - all.length;
    const start = Math.min(Math.max(offset, first), this.#total);
    const slice = all.subarray(start - first, Math.min(start - first + max, all.length));
    return { text: slice.toString('utf8'), start, end: start + slice.length };
  }

  /** Offsets of the text of {@link lastLines}: the kept output from where those lines begin. */
  tail(lines: number): { text: string; start: number; end: number } {
    const text = this.lastLines(lines).join('\n');
    const all = this.#text();
    const ends = all.endsWith('\n') ? '\n' : '';
    const bytes = Buffer.byteLength(text + ends);
    return { text: text + ends, start: this.#total - bytes, end: this.#total };
  }

  #text(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }
}
