export type CompileIssueCode =
  | 'yaml_invalid'
  | 'yaml_too_large'
  | 'definition_invalid'
  | 'duplicate_step'
  | 'unknown_type'
  | 'config_invalid'
  | 'dangling_need'
  | 'unknown_port'
  | 'cycle'
  | 'expression_invalid'
  | 'unknown_expression_root'
  | 'unknown_step_reference'
  | 'unordered_step_reference'
  | 'trigger_invalid';

/** One problem in a definition; `step` and `field` say where, `message` says what to do. */
export interface CompileIssue {
  code: CompileIssueCode;
  message: string;
  step?: string;
  field?: string;
}

/** A definition that cannot run; `issues` holds every problem found, `message` the first ones. */
export class CompileError extends Error {
  override readonly name = 'CompileError';
  readonly code = 'workflow_invalid';
  constructor(readonly issues: CompileIssue[]) {
    super(summarize(issues));
  }
}

function summarize(issues: CompileIssue[]): string {
  const shown = issues.slice(0, 5).map((issue) => issue.message);
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
  return `${shown.join('; ')}${more}`;
}
