/** Why the model cannot answer; `message` names what is wrong and `fix` says what to do. */
export type InferenceErrorCode =
  | 'model_missing'
  | 'model_corrupt'
  | 'model_load_failed'
  | 'model_download_failed'
  | 'model_unknown'
  | 'model_not_ready'
  | 'request_invalid'
  | 'endpoint_failed'
  | 'closed';

export class InferenceError extends Error {
  override readonly name = 'InferenceError';
  constructor(
    readonly code: InferenceErrorCode,
    message: string,
    readonly fix?: string,
    options?: { cause?: unknown },
  ) {
    super(fix ? `${message} Fix: ${fix}` : message, options);
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
