export type EngineErrorCode =
  | 'workflow_not_found'
  | 'version_not_found'
  | 'run_not_found'
  | 'run_not_waiting'
  | 'schedule_not_found'
  | 'trigger_not_found'
  | 'credential_not_found'
  | 'credential_unreadable'
  | 'input_invalid'
  | 'pairing_not_found'
  | 'not_an_approver';

/** A request the engine cannot serve; the message says what to do. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
  }
}
