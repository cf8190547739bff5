import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PrismaClient } from '@pincer/db';
import type { ArtifactRef, ChatFileStore } from '@pincer/nodes';

export type ArtifactErrorCode = 'artifact_too_large' | 'artifact_invalid' | 'artifact_file_missing';

export class ArtifactError extends Error {
  override readonly name = 'ArtifactError';
  constructor(
    readonly code: ArtifactErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ArtifactStoreOptions {
  db: PrismaClient;
  /** The directory that holds the bytes, content-addressed; web and workers must share it. */
  dir: string;
  /** Largest artifact accepted, in bytes. */
  maxBytes: number;
}

/** An artifact as listed with its run. */
export interface StoredArtifact extends ArtifactRef {
  stepName: string;
  createdAt: Date;
}

export interface LocalArtifactStore extends ChatFileStore {
  /** The directory the bytes are in. */
  readonly dir: string;
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

/**
 * Artifacts in a local directory, content-addressed (`ab/abcdef…`), with a row per run and step
 * in PostgreSQL. The same bytes saved by many runs are kept once on disk.
 */
export function createArtifactStore(options: ArtifactStoreOptions): LocalArtifactStore {
  const fileFor = (sha256: string) => path.join(options.dir, sha256.slice(0, 2), sha256);

  async function writeOnce(sha256: string, data: Uint8Array): Promise<void> {
    const file = fileFor(sha256);
    const existing = await stat(file).catch(() => null);
    if (existing?.size === data.byteLength) return;
    // Private to the user running Pincer, whatever the umask (see docs/security.md, "Local users").
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    // Written aside and renamed, so a reader never sees half a file.
    const temporary = `${file}.${randomUUID()}.tmp`;
    await writeFile(temporary, data, { mode: 0o600 });
    await rename(temporary, file);
  }

  /** Checks the file, writes its bytes once and says where they are. */
  async function keep(name: string, mediaType: string, data: Uint8Array) {
    if (data.byteLength > options.maxBytes) {
      throw new ArtifactError(
        'artifact_too_large',
        `"${name}" is ${data.byteLength} bytes, more than the ${options.maxBytes} bytes an artifact may have: ` +
          'write less, or raise artifacts.maxBytes in pincer.yaml',
      );
    }
    const type = mediaType.split(';')[0]?.trim() ?? '';
    if (!MEDIA_TYPE.test(type)) {
      throw new ArtifactError('artifact_invalid', `"${mediaType}" is not a media type (like "image/png")`);
    }
    const sha256 = createHash('sha256').update(data).digest('hex');
    await writeOnce(sha256, data);
    return { type, sha256, fileName: safeArtifactName(name) };
  }

  return {
    dir: options.dir,
    async save({ runId, stepName, name, mediaType, data }) {
      const { type, sha256, fileName } = await keep(name, mediaType, data);
      const row = await options.db.artifact.upsert({
        where: { runId_stepName_name_sha256: { runId, stepName, name: fileName, sha256 } },
        create: { runId, stepName, name: fileName, mediaType: type, size: data.byteLength, sha256 },
        update: {},
      });
      return refOf(row);
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
      const source = await options.db.artifact.findUnique({ where: { id } });
      if (!source) return null;
      const row = await options.db.artifact.upsert({
        where: { runId_stepName_name_sha256: { runId, stepName, name: source.name, sha256: source.sha256 } },
        create: {
          runId,
          stepName,
          name: source.name,
          mediaType: source.mediaType,
          size: source.size,
          sha256: source.sha256,
        },
        update: {},
      });
      return refOf(row);
    },

    async read(id) {
      const row = await options.db.artifact.findUnique({ where: { id } });
      if (!row) return null;
      const data = await readFile(fileFor(row.sha256)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        throw new ArtifactError(
          'artifact_file_missing',
          `The file of artifact ${id} is not in ${options.dir}: the web server and the workers must share ` +
            'artifacts.dir (PINCER_ARTIFACTS_DIR)',
        );
      });
      return { ref: refOf(row), data };
    },

    async list(runId) {
      const rows = await options.db.artifact.findMany({ where: { runId }, orderBy: { createdAt: 'asc' } });
      return rows.map(toStored);
    },
  };
}
