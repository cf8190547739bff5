export {
  ArtifactError,
  type ArtifactErrorCode,
  type ArtifactStoreOptions,
  artifactUrl,
  chatFileUrl,
  createArtifactStore,
  type LocalArtifactStore,
  type StoredArtifact,
  safeArtifactName,
} from './store.ts';
