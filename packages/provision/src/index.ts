export { browserCheck, capabilityChecks, sandboxEngineCheck } from './capabilities.ts';
export { type ChromiumOptions, chromiumStep, findChromium } from './chromium.ts';
export { embeddedDatabaseUrl } from './database-url.ts';
export { DOVECOT_BINARY, dovecotStep, findDovecot } from './dovecot.ts';
export { type EmbeddedServices, layout, provisioningSteps, startEmbeddedServices } from './embedded.ts';
export {
  checkHealth,
  type DependencyCheck,
  type DependencyStatus,
  describeDatabaseUrl,
  type HealthReport,
  probeDatabase,
  probeProcess,
  probeTemporal,
} from './health.ts';
export { modelStep, needsLocalModel } from './model.ts';
export {
  EMBEDDED_DATABASE,
  type EmbeddedPostgresOptions,
  embeddedPostgresStep,
  type RunningPostgres,
  type RunningService,
  startEmbeddedPostgres,
} from './postgres.ts';
export { makeStatePrivate, PRIVATE_UMASK } from './private.ts';
export { freePort, isAlive, isPortOpen, signalGroup, stopGroup } from './process.ts';
export { loadSecretKey } from './secret-key.ts';
export {
  consoleReporter,
  describe,
  type Progress,
  ProvisionError,
  type ProvisionReporter,
  type ProvisionStep,
  provision,
  type StepState,
  type StepStatus,
  silentReporter,
} from './steps.ts';
export {
  findTemporalCli,
  type RunningTemporal,
  startTemporalDevServer,
  TEMPORAL_DYNAMIC_CONFIG,
  type TemporalCliOptions,
  type TemporalDevServerOptions,
  type TemporalDurability,
  temporalCliStep,
  temporalTuningArgs,
} from './temporal.ts';
export {
  binaryFromWheel,
  HELM_VERSION,
  helmBinary,
  helmStep,
  KUBERNETES_VALIDATE_VERSION,
  kubernetesValidateBinary,
  kubernetesValidateStep,
  SEAWEEDFS_VERSION,
  seaweedfsBinary,
  seaweedfsStep,
} from './tools.ts';
