export {
  ArtifactError,
  type ArtifactErrorCode,
  type ArtifactStoreOptions,
  artifactUrl,
  createArtifactStore,
  type LocalArtifactStore,
  type StoredArtifact,
  safeArtifactName,
} from './store.ts';
