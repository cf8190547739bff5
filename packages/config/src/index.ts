export {
  CHANNEL_SETTINGS,
  type ChannelSection,
  type ChannelSettings,
  channelSummaries,
  PLATFORMS,
  type Platform,
} from './channels.ts';
export { ENV_BINDINGS, type EnvName } from './env.ts';
export { ConfigError, type ConfigErrorCode } from './errors.ts';
export { CONFIG_FILE_NAME, type LoadConfigOptions, loadConfig, type PincerConfig } from './load.ts';
export { ConfigSchema, type PincerConfigInput, WORKER_CAPABILITIES } from './schema.ts';
export { closest } from './suggest.ts';
export { PINCER_VERSION } from './version.ts';
