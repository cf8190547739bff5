import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { PrismaClient } from '@pincer/db';
import type { ArtifactRef, ChatFileStore } from '@pincer/nodes';
import { ArtifactError, type BlobStore, createDiskBlobStore, putStream } from './blobs.ts';
import { createS3BlobStore, type S3BlobStoreOptions } from './s3.ts';

export interface ArtifactStoreOptions {
  db: PrismaClient;
  /**
   * The local directory of the disk store (the embedded default), content-addressed; web and
   * workers must share it. With the S3 store, files being received are spooled in it.
   */
  dir: string;
  /** Largest artifact accepted, in bytes. */
  maxBytes: number;
  /** `disk` (default) keeps the bytes in `dir`; `s3` in the bucket `s3` names. */
  store?: 'disk' | 's3';
  s3?: Omit<S3BlobStoreOptions, 'bucket' | 'spoolDir' | 'endpoint'> & {
    bucket?: string;
    endpoint?: string | undefined;
  };
}

/** An artifact as listed with its run. */
export interface StoredArtifact extends ArtifactRef {
  stepName: string;
  createdAt: Date;
}

export interface SharedArtifactStore extends ChatFileStore {
  /** Where the bytes are, for messages: a directory or s3://bucket/prefix. */
  readonly location: string;
  /** The bytes' store (content-addressed). */
  readonly blobs: BlobStore;
  /** Fails with what to fix when the store cannot be used: call it at start-up. */
  check(): Promise<void>;
  /** Like `save`, from a stream that is never held in memory whole (spooled, hashed, then stored). */
  saveStream(input: {
    runId: string;
    stepName: string;
    name: string;
    mediaType: string;
    body: Readable | AsyncIterable<Uint8Array>;
  }): Promise<ArtifactRef>;
  /** The metadata and a stream of the bytes, or null when there is no artifact with that id. */
  open(id: string): Promise<{ ref: ArtifactRef; body: Readable } | null>;
  /** A time-limited link to the bytes for a platform that takes a link, or null (disk store). */
  link(id: string): Promise<string | null>;
  /** The artifacts of a run, oldest first. */
  list(runId: string): Promise<StoredArtifact[]>;
}

const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;
const MAX_NAME = 200;

export function artifactUrl(runId: string, id: string): string {
  return `/api/v1/runs/${runId}/artifacts/${id}`;
}

/** Where a file that came in by chat is served (authenticated, like a run's artifacts). */
export function chatFileUrl(id: string): string {
  return `/api/v1/chat/files/${id}`;
}

/** A file name safe to store and to send in Content-Disposition: no path, no control characters. */
export function safeArtifactName(name: string): string {
  const base = path.posix.basename(name.replaceAll('\\', '/'));
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const cleaned = base.replace(/[\u0000-\u001f\u007f"]/g, '_').trim();
  return (cleaned === '' || cleaned === '.' || cleaned === '..' ? 'file' : cleaned).slice(0, MAX_NAME);
}

interface ArtifactRow {
  id: string;
  runId: string | null;
  stepName: string;
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
  createdAt: Date;
}

function toStored(row: ArtifactRow): StoredArtifact {
  return {
    id: row.id,
    name: row.name,
    mediaType: row.mediaType,
    size: row.size,
    sha256: row.sha256,
    url: row.runId ? artifactUrl(row.runId, row.id) : chatFileUrl(row.id),
    stepName: row.stepName,
    createdAt: row.createdAt,
  };
}

function refOf(row: ArtifactRow): ArtifactRef {
  const { stepName: _step, createdAt: _created, ...ref } = toStored(row);
  return ref;
}

/** The bytes' store the options name: the directory, or the S3-compatible bucket. */
export function createBlobStore(options: Pick<ArtifactStoreOptions, 'dir' | 'store' | 's3'>): BlobStore {
  if (options.store !== 's3') return createDiskBlobStore(options.dir);
  const { s3 } = options;
  if (!s3?.bucket) {
    throw new ArtifactError(
      'artifact_store_unavailable',
      'artifacts.store is s3 but no bucket is set: set artifacts.s3.bucket (PINCER_S3_BUCKET)',
    );
  }
  return createS3BlobStore({
    ...s3,
    bucket: s3.bucket,
    ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
    spoolDir: path.join(options.dir, '.incoming'),
  });
}

/**
 * Artifacts content-addressed in a blob store (a local directory or an S3-compatible bucket), with
 * a row per run and step in PostgreSQL. The same bytes saved by many runs are kept once.
 */
export function createArtifactStore(options: ArtifactStoreOptions): SharedArtifactStore {
  const blobs = createBlobStore(options);
  const tooLarge = (name: string) => (size: number) =>
    new ArtifactError(
      'artifact_too_large',
      `"${name}" is ${size} bytes, more than the ${options.maxBytes} bytes an artifact may have: ` +
        'write less, or raise artifacts.maxBytes in pincer.yaml',
    );

  function checked(name: string, mediaType: string) {
    const type = mediaType.split(';')[0]?.trim() ?? '';
    if (!MEDIA_TYPE.test(type)) {
      throw new ArtifactError('artifact_invalid', `"${mediaType}" is not a media type (like "image/png")`);
    }
    return { type, fileName: safeArtifactName(name) };
  }

  /** Checks the file, writes its bytes once and says where they are. */
  async function keep(name: string, mediaType: string, data: Uint8Array) {
    if (data.byteLength > options.maxBytes) throw tooLarge(name)(data.byteLength);
    const { type, fileName } = checked(name, mediaType);
    const sha256 = createHash('sha256').update(data).digest('hex');
    if (!(await blobs.has(sha256))) await blobs.put(sha256, { data });
    return { type, sha256, fileName };
  }

  async function recordRunArtifact(input: {
    runId: string;
    stepName: string;
    name: string;
    mediaType: string;
    size: number;
    sha256: string;
  }) {
    const { runId, stepName, name, sha256 } = input;
    const row = await options.db.artifact.upsert({
      where: { runId_stepName_name_sha256: { runId, stepName, name, sha256 } },
      create: input,
      update: {},
    });
    return refOf(row);
  }

  async function found(id: string) {
    return options.db.artifact.findUnique({ where: { id } });
  }

  async function open(id: string) {
    const row = await found(id);
    if (!row) return null;
    return { ref: refOf(row), body: await blobs.open(row.sha256) };
  }

  return {
    location: blobs.location,
    blobs,
    check: () => blobs.check(),
    async save({ runId, stepName, name, mediaType, data }) {
      const { type, sha256, fileName } = await keep(name, mediaType, data);
      return recordRunArtifact({
        runId,
        stepName,
        name: fileName,
        mediaType: type,
        size: data.byteLength,
        sha256,
      });
    },

    async saveStream({ runId, stepName, name, mediaType, body }) {
      const { type, fileName } = checked(name, mediaType);
      const { sha256, size } = await putStream(blobs, body, {
        maxBytes: options.maxBytes,
        tooLarge: tooLarge(name),
      });
      return recordRunArtifact({ runId, stepName, name: fileName, mediaType: type, size, sha256 });
    },
    async saveChatFile({ conversationId, messageId, name, mediaType, data }) {
      const { type, sha256, fileName } = await keep(name, mediaType, data);
      const row = await options.db.artifact.upsert({
        where: {
          conversationId_stepName_name_sha256: {
            conversationId,
            stepName: messageId,
            name: fileName,
            sha256,
          },
        },
        create: {
          conversationId,
          stepName: messageId,
          name: fileName,
          mediaType: type,
          size: data.byteLength,
          sha256,
        },
        update: {},
      });
      return refOf(row);
    },

    async attachToRun({ id, runId, stepName }) {
      const source = await found(id);
      if (!source) return null;
      const { name, mediaType, size, sha256 } = source;
      return recordRunArtifact({ runId, stepName, name, mediaType, size, sha256 });
    },

    async read(id) {
      const opened = await open(id);
      if (!opened) return null;
      const chunks: Buffer[] = [];
      for await (const chunk of opened.body) chunks.push(chunk as Buffer);
      return { ref: opened.ref, data: Buffer.concat(chunks) };
    },

    open,

    async link(id) {
      const row = await found(id);
      if (!row) return null;
      return blobs.link(row.sha256, { name: row.name, mediaType: row.mediaType });
    },

    async list(runId) {
      const rows = await options.db.artifact.findMany({ where: { runId }, orderBy: { createdAt: 'asc' } });
      return rows.map(toStored);
    },
  };
}
