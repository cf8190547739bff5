export interface NodeErrorOptions {
  /** Whether trying again may succeed (network trouble, 5xx); false fails the step at once. */
  retryable: boolean;
  /** Machine-readable facts for the step's error output (e.g. the HTTP status); never secrets. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * What a node throws when its step fails. `code` is stable (`http_status`, `http_private_address`,
 * ...) for `on_error` routing and the UI; `message` is one line that says what to do. The
 * interpreter turns non-retryable errors into non-retryable Temporal failures.
 */
export class NodeError extends Error {
  override readonly name = 'NodeError';
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(
    readonly code: string,
    message: string,
    options: NodeErrorOptions,
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable;
    this.details = options.details ?? {};
  }
}
