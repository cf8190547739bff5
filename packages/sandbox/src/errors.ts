/**
 * A sandbox failure that is not the code's own doing (the engine is missing or broken, the image
 * is absent); `fix` says what the operator should do.
 */
export class SandboxError extends Error {
  override readonly name = 'SandboxError';
  constructor(
    readonly code: string,
    message: string,
    readonly fix?: string,
    options?: { cause?: unknown },
  ) {
    super(fix ? `${message} Fix: ${fix}` : message, options);
  }
}
