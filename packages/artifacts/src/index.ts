export {
  ArtifactError,
  type ArtifactErrorCode,
  type BlobBody,
  type BlobStore,
  createDiskBlobStore,
} from './blobs.ts';
export { migrateBlobs } from './migrate.ts';
export { createS3BlobStore, type S3BlobStoreOptions } from './s3.ts';
export {
  type ArtifactStoreOptions,
  artifactUrl,
  chatFileUrl,
  createArtifactStore,
  createBlobStore,
  type SharedArtifactStore,
  type StoredArtifact,
  safeArtifactName,
} from './store.ts';
