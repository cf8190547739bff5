import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export type ArtifactErrorCode =
  | 'artifact_too_large'
  | 'artifact_invalid'
  | 'artifact_file_missing'
  | 'artifact_store_unavailable';

export class ArtifactError extends Error {
  override readonly name = 'ArtifactError';
  constructor(
    readonly code: ArtifactErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Bytes to keep: in memory, or a file on local disk that the store may move or read. */
export type BlobBody = { data: Uint8Array } | { file: string; size: number };

/**
 * Where artifact bytes live, by their SHA-256 (content-addressed: the same bytes are kept once).
 * Two implementations: a local directory (the embedded default) and an S3-compatible bucket.
 */
export interface BlobStore {
  /** Where the bytes are, for messages: a directory, or s3://bucket/prefix at an endpoint. */
  readonly location: string;
  /** A local directory for files being received; `put({file})` from it is cheapest. */
  readonly spoolDir: string;
  /** Fails with a message that says what to fix when the store cannot be used (run at start-up). */
  check(): Promise<void>;
  has(sha256: string): Promise<boolean>;
  /** Keeps the bytes under their hash; a `file` body is consumed (moved or deleted). */
  put(sha256: string, body: BlobBody): Promise<void>;
  /** The bytes as a stream; `artifact_file_missing` when the store does not have them. */
  open(sha256: string): Promise<Readable>;
  /** A time-limited download link anyone holding it may use, or null when the store has none (disk). */
  link(sha256: string, options: { name: string; mediaType: string }): Promise<string | null>;
  /** Every hash the store holds (the migration reads a disk store with it). */
  list(): AsyncIterable<string>;
}

const SHA256 = /^[0-9a-f]{64}$/;

export function missingBlob(sha256: string, location: string): ArtifactError {
  return new ArtifactError(
    'artifact_file_missing',
    `The bytes ${sha256} are not in ${location}: the web server and the workers must share artifacts.dir ` +
      '(PINCER_ARTIFACTS_DIR), or use the same artifacts.s3 bucket',
  );
}

/** The content-addressed layout on disk: `ab/abcdef…`. */
export function createDiskBlobStore(dir: string): BlobStore {
  const fileFor = (sha256: string) => path.join(dir, sha256.slice(0, 2), sha256);
  const spoolDir = path.join(dir, '.incoming');
  return {
    location: dir,
    spoolDir,
    async check() {
      try {
        await mkdir(spoolDir, { recursive: true, mode: 0o700 });
        const probe = path.join(spoolDir, `check-${randomUUID()}`);
        await writeFile(probe, '');
        await rm(probe);
      } catch (error) {
        throw new ArtifactError(
          'artifact_store_unavailable',
          `Cannot write artifacts to ${dir} (${(error as Error).message}): make it writable or point ` +
            'artifacts.dir (PINCER_ARTIFACTS_DIR) elsewhere',
        );
      }
    },
    async has(sha256) {
      return (await stat(fileFor(sha256)).catch(() => null)) !== null;
    },
    async put(sha256, body) {
      const file = fileFor(sha256);
      // Private to the user running Pincer, whatever the umask (see docs/security.md, "Local users").
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      if ('file' in body) {
        // The spool is inside `dir`, so this is a rename on one file system.
        await rename(body.file, file);
        return;
      }
      // Written aside and renamed, so a reader never sees half a file.
      const temporary = path.join(spoolDir, randomUUID());
      await mkdir(spoolDir, { recursive: true, mode: 0o700 });
      await writeFile(temporary, body.data, { mode: 0o600 });
      await rename(temporary, file);
    },
    async open(sha256) {
      const file = fileFor(sha256);
      if (!(await stat(file).catch(() => null))) throw missingBlob(sha256, dir);
      return createReadStream(file);
    },
    async link() {
      return null;
    },
    async *list() {
      for (const shard of await readdir(dir).catch(() => [] as string[])) {
        if (!/^[0-9a-f]{2}$/.test(shard)) continue;
        for (const name of await readdir(path.join(dir, shard))) if (SHA256.test(name)) yield name;
      }
    },
  };
}

/**
 * Copies a stream into the store's spool while hashing it, never holding more than a chunk in
 * memory; refuses it past `limit.maxBytes`. Returns the hash and size of what was kept.
 */
export async function putStream(
  store: BlobStore,
  source: Readable | AsyncIterable<Uint8Array>,
  limit?: { maxBytes: number; tooLarge: (size: number) => Error },
): Promise<{ sha256: string; size: number }> {
  await mkdir(store.spoolDir, { recursive: true, mode: 0o700 });
  const spooled = path.join(store.spoolDir, randomUUID());
  const hash = createHash('sha256');
  let size = 0;
  try {
    await pipeline(
      source,
      async function* (chunks: AsyncIterable<Uint8Array>) {
        for await (const chunk of chunks) {
          size += chunk.byteLength;
          if (limit && size > limit.maxBytes) throw limit.tooLarge(size);
          hash.update(chunk);
          yield chunk;
        }
      },
      createWriteStream(spooled, { mode: 0o600 }),
    );
    const sha256 = hash.digest('hex');
    if (await store.has(sha256)) await rm(spooled, { force: true });
    else await store.put(sha256, { file: spooled, size });
    return { sha256, size };
  } finally {
    await rm(spooled, { force: true });
  }
}
