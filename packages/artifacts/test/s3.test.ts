import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createDb, migrateDatabase, type PrismaClient } from '@pincer/db';
import { createRunRecord, createTestDatabase } from '@pincer/testing/support/db';
import { cleanEnv, Job } from '@pincer/testing/support/pincer';
import { type RunningS3, startS3 } from '@pincer/testing/support/s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArtifactStore, type SharedArtifactStore } from '../src/index.ts';

const MB = 1024 * 1024;
let s3: RunningS3;
let db: PrismaClient;
let dir: string;
let store: SharedArtifactStore;
let runId: string;

function s3Settings(overrides: { bucket?: string; secretAccessKey?: string } = {}) {
  return {
    endpoint: s3.endpoint,
    bucket: 'pincer-artifacts',
    region: 'us-east-1',
    forcePathStyle: true,
    prefix: 'test/',
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    linkExpirySeconds: 300,
    ...overrides,
  };
}

function storeWith(overrides: Parameters<typeof s3Settings>[0] = {}) {
  return createArtifactStore({ db, dir, maxBytes: 200 * MB, store: 's3', s3: s3Settings(overrides) });
}

/** 100 MB that are not all alike, produced one 1 MB chunk at a time. */
async function* hundredMegabytes() {
  for (let index = 0; index < 100; index++) {
    const chunk = Buffer.alloc(MB, index);
    chunk.writeUInt32BE(index, 0);
    yield chunk;
  }
}

/**
 * The most Buffer/ArrayBuffer memory held while `work` runs, above what was held before. Each
 * reading follows a full collection, so chunks already passed on (garbage V8 has not yet swept)
 * do not count: only what the store keeps alive does.
 */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function heldBuffers(): number {
  collectGarbage();
  return process.memoryUsage().arrayBuffers;
}

async function peakBufferGrowth<T>(work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  const base = heldBuffers();
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, heldBuffers() - base);
  }, 250);
  try {
    const result = await work();
    return { result, peak };
  } finally {
    clearInterval(sampler);
  }
}

beforeAll(async () => {
  s3 = await startS3(['pincer-artifacts']);
  const url = await createTestDatabase('artifacts_s3');
  await migrateDatabase(url);
  db = createDb(url);
  dir = await mkdtemp(path.join(tmpdir(), 'pincer-artifacts-s3-'));
  store = storeWith();
  runId = await createRunRecord(db, 's3@artifacts.test');
});

afterAll(async () => {
  await db?.$disconnect();
  await s3?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('artifacts on an S3-compatible store (SeaweedFS)', () => {
  it('passes its start-up check when the bucket and credentials are right', async () => {
    await expect(store.check()).resolves.toBeUndefined();
  });

  it('keeps what a step saved, once per content, and gives it back', async () => {
    const data = Buffer.from('name,total\nada,3\n');
    const first = await store.save({ runId, stepName: 'export', name: 'a.csv', mediaType: 'text/csv', data });
    const again = await store.save({ runId, stepName: 'other', name: 'b.csv', mediaType: 'text/csv', data });

    expect(first.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect((await store.read(first.id))?.data.toString()).toBe('name,total\nada,3\n');
    expect((await store.read(again.id))?.ref.name).toBe('b.csv');
    const keys: string[] = [];
    for await (const sha256 of store.blobs.list()) keys.push(sha256);
    expect(keys.filter((key) => key === first.sha256)).toHaveLength(1);
  });

  it('streams 100 MB up and down without holding the file in memory', async () => {
    const expected = createHash('sha256');
    for await (const chunk of hundredMegabytes()) expected.update(chunk);

    const up = await peakBufferGrowth(() =>
      store.saveStream({
        runId,
        stepName: 'download',
        name: 'big.bin',
        mediaType: 'application/octet-stream',
        body: hundredMegabytes(),
      }),
    );
    expect(up.result).toMatchObject({ size: 100 * MB, sha256: expected.digest('hex') });
    expect(up.peak).toBeLessThan(40 * MB);

    const down = await peakBufferGrowth(async () => {
      const opened = await store.open(up.result.id);
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of opened?.body ?? []) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).byteLength;
      }
      return { size, sha256: hash.digest('hex') };
    });
    expect(down.result).toEqual({ size: 100 * MB, sha256: up.result.sha256 });
    expect(down.peak).toBeLessThan(40 * MB);
  });

  it('gives a presigned link that downloads the file with no credentials', async () => {
    const data = Buffer.from('%PDF-1.4 not really\n');
    const ref = await store.save({
      runId,
      stepName: 'render',
      name: 'report.pdf',
      mediaType: 'application/pdf',
      data,
    });
    const link = await store.link(ref.id);
    expect(link).toMatch(/X-Amz-Signature=/);

    const response = await fetch(link ?? '');
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(data)).toBe(true);
    expect(response.headers.get('content-disposition')).toContain('report.pdf');

    const tampered = (link ?? '').replace(/X-Amz-Signature=[0-9a-f]+/, `X-Amz-Signature=${'0'.repeat(64)}`);
    expect((await fetch(tampered)).status).toBe(403);
  });

  it('says at start-up that the bucket is missing, and how to fix it', async () => {
    await expect(storeWith({ bucket: 'no-such-bucket' }).check()).rejects.toThrow(
      /bucket "no-such-bucket" does not exist: create it, or set artifacts\.s3\.bucket \(PINCER_S3_BUCKET\)/,
    );
  });

  it('says at start-up that the credentials were refused', async () => {
    await expect(storeWith({ secretAccessKey: 'wrong-secret-key' }).check()).rejects.toThrow(
      /refused the credentials: check artifacts\.s3\.accessKeyId and secretAccessKey/,
    );
  });

  it('moves a disk store to S3 with `pincer artifacts migrate`, and a second run copies nothing again', async () => {
    const diskDir = await mkdtemp(path.join(tmpdir(), 'pincer-artifacts-disk-'));
    try {
      const disk = createArtifactStore({ db, dir: diskDir, maxBytes: MB });
      const refs = await Promise.all(
        ['one', 'two', 'three'].map((text) =>
          disk.save({
            runId,
            stepName: 'old',
            name: `${text}.txt`,
            mediaType: 'text/plain',
            data: Buffer.from(text),
          }),
        ),
      );
      const env = {
        ...cleanEnv(),
        PINCER_DATA_DIR: diskDir,
        PINCER_ARTIFACTS_DIR: diskDir,
        PINCER_ARTIFACTS_STORE: 's3',
        PINCER_S3_ENDPOINT: s3.endpoint,
        PINCER_S3_BUCKET: 'pincer-artifacts',
        PINCER_S3_PREFIX: 'migrated/',
        PINCER_S3_ACCESS_KEY_ID: s3.accessKeyId,
        PINCER_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      };
      const migrate = () =>
        new Job(process.execPath, ['apps/cli/bin/pincer.mjs', 'artifacts', 'migrate'], env);

      const first = migrate();
      expect(await first.exit, first.output).toBe(0);
      expect(first.output).toContain('done: 3 copied');
      // The rows were written by the disk store; a store on the bucket now serves the same ids.
      const migrated = createArtifactStore({
        db,
        dir,
        maxBytes: MB,
        store: 's3',
        s3: { ...s3Settings(), prefix: 'migrated/' },
      });
      for (const ref of refs)
        expect((await migrated.read(ref.id))?.data.toString()).toBe(ref.name.replace('.txt', ''));

      const second = migrate();
      expect(await second.exit, second.output).toBe(0);
      expect(second.output).toContain('done: 0 copied (0.0 MB), 3 already there');

      const refused = new Job(process.execPath, ['apps/cli/bin/pincer.mjs', 'artifacts', 'migrate'], {
        ...env,
        PINCER_S3_BUCKET: 'missing-bucket',
      });
      expect(await refused.exit).toBe(1);
      expect(refused.output).toContain('bucket "missing-bucket" does not exist: create it');
    } finally {
      await rm(diskDir, { recursive: true, force: true });
    }
  });
});
