import { Writable } from 'node:stream';

/**
 * Keeps the first `limit` bytes of a stream and counts the rest, so 10 MB of output cost the
 * worker `limit` bytes of memory and the step gets a clean marker instead of a cut-off blob.
 */
export class CappedOutput extends Writable {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private dropped = 0;

  constructor(private readonly limit: number) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const room = this.limit - this.kept;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.chunks.push(part);
      this.kept += part.length;
    }
    this.dropped += Math.max(0, chunk.length - Math.max(0, room));
    callback();
  }

  get truncated(): boolean {
    return this.dropped > 0;
  }

  get totalBytes(): number {
    return this.kept + this.dropped;
  }

  text(): string {
    const kept = Buffer.concat(this.chunks).toString('utf8');
    if (!this.truncated) return kept;
    return `${kept}\n[pincer: output truncated after ${this.limit} bytes; ${this.dropped} more bytes dropped]\n`;
  }
}

/**
 * Splits the engine's multiplexed attach stream (8-byte frame headers: stream type, size) into
 * stdout and stderr.
 */
export function demultiplex(
  source: NodeJS.ReadableStream,
  stdout: Writable,
  stderr: Writable,
): Promise<void> {
  return new Promise((resolve) => {
    let buffer: Buffer = Buffer.alloc(0);
    source.on('data', (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      while (buffer.length >= 8) {
        const size = buffer.readUInt32BE(4);
        if (buffer.length < 8 + size) break;
        const payload = buffer.subarray(8, 8 + size);
        (buffer[0] === 2 ? stderr : stdout).write(payload);
        buffer = buffer.subarray(8 + size);
      }
    });
    source.resume();
    const done = () => resolve();
    source.once('end', done);
    source.once('close', done);
    source.once('error', done);
  });
}
