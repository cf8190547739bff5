import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ArtifactError, type BlobStore, missingBlob } from './blobs.ts';

export interface S3BlobStoreOptions {
  /** The API root of an S3-compatible store; AWS S3 when absent. */
  endpoint?: string;
  bucket: string;
  region: string;
  forcePathStyle: boolean;
  /** Prepended to every key. */
  prefix: string;
  /** Both or neither; neither uses the AWS SDK's credential chain. */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Lifetime of presigned links, in seconds. */
  linkExpirySeconds: number;
  /** Where received files are spooled before upload (the OS temporary directory by default). */
  spoolDir?: string;
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404 || (error instanceof S3ServiceException && error.name === 'NotFound');
}

/** Content-addressed objects in a bucket: `<prefix>sha256/ab/abcdef…`. */
export function createS3BlobStore(options: S3BlobStoreOptions): BlobStore {
  const client = new S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.accessKeyId && options.secretAccessKey
      ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }
      : {}),
    // Checksums only where S3 demands them: many S3-compatible stores reject the newer trailers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const Bucket = options.bucket;
  const keyPrefix = `${options.prefix}sha256/`;
  const keyFor = (sha256: string) => `${keyPrefix}${sha256.slice(0, 2)}/${sha256}`;
  const location = `s3://${Bucket}/${options.prefix}${options.endpoint ? ` at ${options.endpoint}` : ''}`;

  return {
    location,
    spoolDir: options.spoolDir ?? path.join(tmpdir(), 'pincer-artifacts-spool'),
    async check() {
      try {
        await client.send(new HeadBucketCommand({ Bucket }));
      } catch (error) {
        const status = statusOf(error);
        const fix =
          status === 404
            ? `bucket "${Bucket}" does not exist: create it, or set artifacts.s3.bucket (PINCER_S3_BUCKET) to an existing one`
            : status === 403 || status === 401
              ? 'the store refused the credentials: check artifacts.s3.accessKeyId and secretAccessKey ' +
                `(PINCER_S3_ACCESS_KEY_ID, PINCER_S3_SECRET_ACCESS_KEY) and that they may use bucket "${Bucket}"`
              : status === 301
                ? `bucket "${Bucket}" is in another region: set artifacts.s3.region (PINCER_S3_REGION)`
                : `${(error as Error).message || (error as Error).name}: check artifacts.s3.endpoint (PINCER_S3_ENDPOINT) and that the store is running`;
        throw new ArtifactError(
          'artifact_store_unavailable',
          `Cannot use the artifact store ${location}: ${fix}.`,
        );
      }
    },
    async has(sha256) {
      try {
        await client.send(new HeadObjectCommand({ Bucket, Key: keyFor(sha256) }));
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    },
    async put(sha256, body) {
      if ('data' in body) {
        await client.send(new PutObjectCommand({ Bucket, Key: keyFor(sha256), Body: body.data }));
        return;
      }
      try {
        await client.send(
          new PutObjectCommand({
            Bucket,
            Key: keyFor(sha256),
            Body: createReadStream(body.file),
            ContentLength: body.size,
          }),
        );
      } finally {
        await rm(body.file, { force: true });
      }
    },
    async open(sha256) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket, Key: keyFor(sha256) }));
        if (object.Body instanceof Readable) return object.Body;
        throw new Error(`the store answered GetObject without a body for ${sha256}`);
      } catch (error) {
        if (isNotFound(error) || (error as Error).name === 'NoSuchKey') throw missingBlob(sha256, location);
        throw error;
      }
    },
    async link(sha256, { name, mediaType }) {
      const command = new GetObjectCommand({
        Bucket,
        Key: keyFor(sha256),
        ResponseContentType: mediaType,
        ResponseContentDisposition: `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      });
      return getSignedUrl(client, command, { expiresIn: options.linkExpirySeconds });
    },
    async *list() {
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket, Prefix: keyPrefix, ContinuationToken }),
        );
        for (const object of page.Contents ?? []) {
          const sha256 = object.Key?.slice(object.Key.lastIndexOf('/') + 1);
          if (sha256) yield sha256;
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    },
  };
}
