import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDb, migrateDatabase, type PrismaClient } from '@pincer/db';
import { createRunRecord, createTestDatabase } from '@pincer/testing/support/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactError, createArtifactStore, type SharedArtifactStore } from '../src/index.ts';

let db: PrismaClient;
let dir: string;
let store: SharedArtifactStore;
let runId: string;

beforeAll(async () => {
  const url = await createTestDatabase('artifacts');
  await migrateDatabase(url);
  db = createDb(url);
  dir = await mkdtemp(path.join(tmpdir(), 'pincer-artifacts-test-'));
  store = createArtifactStore({ db, dir, maxBytes: 1024 });
  runId = await createRunRecord(db, 'a@artifacts.test');
});

afterAll(async () => {
  await db?.$disconnect();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the artifact store', () => {
  it('keeps what a step saved and gives it back with its metadata', async () => {
    const data = Buffer.from('a,b\n1,2\n');
    const ref = await store.save({
      runId,
      stepName: 'export',
      name: 'report.csv',
      mediaType: 'text/csv',
      data,
    });

    expect(ref).toMatchObject({ name: 'report.csv', mediaType: 'text/csv', size: data.length });
    expect(ref.url).toBe(`/api/v1/runs/${runId}/artifacts/${ref.id}`);
    const read = await store.read(ref.id);
    expect(read?.data.toString()).toBe('a,b\n1,2\n');
    expect((await store.list(runId)).map((artifact) => [artifact.stepName, artifact.name])).toContainEqual([
      'export',
      'report.csv',
    ]);
  });

  it('stores the same content from a retried attempt once', async () => {
    const data = Buffer.from('same bytes');
    const first = await store.save({
      runId,
      stepName: 'retry',
      name: 'out.txt',
      mediaType: 'text/plain',
      data,
    });
    const second = await store.save({
      runId,
      stepName: 'retry',
      name: 'out.txt',
      mediaType: 'text/plain',
      data,
    });

    expect(second.id).toBe(first.id);
    expect((await store.list(runId)).filter((artifact) => artifact.stepName === 'retry')).toHaveLength(1);
    const shard = first.sha256.slice(0, 2);
    expect(await readdir(path.join(dir, shard))).toEqual([first.sha256]);
  });

  it('strips paths and control characters from names', async () => {
    const ref = await store.save({
      runId,
      stepName: 'names',
      name: '../../etc/pass"wd\n',
      mediaType: 'text/plain',
      data: Buffer.from('x'),
    });
    expect(ref.name).toBe('pass_wd_');
  });

  it('refuses a file over the size limit, saying which setting to raise', async () => {
    const save = store.save({
      runId,
      stepName: 'big',
      name: 'big.bin',
      mediaType: 'application/octet-stream',
      data: Buffer.alloc(2048),
    });
    await expect(save).rejects.toThrow(ArtifactError);
    await expect(save).rejects.toThrow(/artifacts\.maxBytes/);
  });

  it('refuses a media type that is not one', async () => {
    await expect(
      store.save({ runId, stepName: 'bad', name: 'x', mediaType: 'not a type', data: Buffer.from('x') }),
    ).rejects.toThrow(/is not a media type/);
  });

  it('says the directory must be shared when the bytes are gone', async () => {
    const ref = await store.save({
      runId,
      stepName: 'gone',
      name: 'g.txt',
      mediaType: 'text/plain',
      data: Buffer.from('gone'),
    });
    await rm(path.join(dir, ref.sha256.slice(0, 2)), { recursive: true });
    await expect(store.read(ref.id)).rejects.toThrow(/must share artifacts\.dir/);
    expect(await store.read('01900000-0000-7000-8000-000000000000')).toBeNull();
  });
});
