export type ConfigErrorCode =
  | 'config_unreadable'
  | 'config_not_yaml'
  | 'config_unknown_key'
  | 'config_invalid_value'
  | 'config_invalid_env'
  | 'config_unknown_env';

/** A configuration problem; `message` is one line naming the key and the fix. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly code: ConfigErrorCode,
    message: string,
  ) {
    super(message);
  }
}
