export { attachContainer, type EngineAddress } from './attach.ts';
export {
  EGRESS_RANGE,
  type EgressGrant,
  type EgressProxy,
  type EgressRule,
  parseEgressEntry,
  startEgressProxy,
} from './egress.ts';
export { connectEngine, type Engine, type EngineOptions } from './engine.ts';
export { SandboxError } from './errors.ts';
export {
  buildDefaultImage,
  DEFAULT_IMAGE_REPOSITORY,
  debianMirror,
  defaultImage,
  defaultImageTag,
  imageExists,
  removeStaleDefaultImages,
  SANDBOX_UID,
} from './image.ts';
export { findPodman, type PodmanService, podmanEnv, podmanPaths, startPodmanService } from './podman.ts';
export { containerEngineStep, sandboxImageStep } from './provision.ts';
export {
  engineError,
  SANDBOX_LABEL,
  Sandbox,
  type SandboxLimits,
  type SandboxOutFile,
  type SandboxRunRequest,
  type SandboxRunResult,
  type SandboxSettings,
  type SandboxStatus,
  sweepLeftovers,
} from './sandbox.ts';
export {
  createSandboxService,
  type SandboxConfig,
  type SandboxService,
  type SandboxServiceOptions,
} from './service.ts';
