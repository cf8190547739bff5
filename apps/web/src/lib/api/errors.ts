import { EngineError, type EngineErrorCode, TokenError, type TokenErrorCode } from '@pincer/engine';
import { CompileError } from '@pincer/workflow';
import { isGrpcServiceError, ServiceError } from '@temporalio/client';
import { z } from 'zod';
import { getLog, temporalAddress } from '../services.ts';

/** One problem in a request or a definition: where (`step`, `field`) and what to do (`message`). */
export interface ApiIssue {
  code?: string;
  message: string;
  step?: string;
  field?: string;
}

/** An answer other than success, carried to the error response: status, stable code, what to do. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { issues?: ApiIssue[]; runId?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }
}

/** Every `*_not_found` is a 404; the rest are conflicts with the run's state or bad input. */
function engineStatus(code: EngineErrorCode): number {
  if (code.endsWith('_not_found')) return 404;
  if (code === 'not_an_approver') return 403;
  return code === 'run_not_waiting' ? 409 : 400;
}

const TOKEN_STATUS: Record<TokenErrorCode, number> = {
  token_not_found: 404,
  user_not_found: 404,
  user_disabled: 403,
  role_above_user: 400,
};

/** gRPC status codes that mean "Temporal is not there" rather than "the request was wrong". */
const UNREACHABLE_CODES = new Set([4, 14]);

/** Zod issues as API issues, each naming the field it is about. */
export function zodIssues(error: z.ZodError, where: string): ApiIssue[] {
  return error.issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    return {
      code: issue.code,
      ...(field ? { field } : {}),
      message: field ? `${where} field "${field}": ${issue.message}` : `${where}: ${issue.message}`,
    };
  });
}

/** A failed zod parse of request data as a 400 naming the fields. */
export function requestInvalid(error: z.ZodError, where: string): ApiError {
  const issues = zodIssues(error, where);
  return new ApiError(400, 'request_invalid', issues.map((issue) => issue.message).join('; '), { issues });
}

function temporalUnreachable(error: unknown): boolean {
  if (error instanceof ServiceError) return temporalUnreachable(error.cause);
  if (isGrpcServiceError(error)) return UNREACHABLE_CODES.has(error.code);
  // Connection.connect fails with a plain Error before any call is made.
  return (
    error instanceof Error &&
    /Failed to connect|connect ECONNREFUSED|No connection established/i.test(error.message)
  );
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof CompileError) {
    return new ApiError(400, error.code, error.message, {
      issues: error.issues.map(({ code, message, step, field }) => ({
        code,
        message,
        ...(step !== undefined ? { step } : {}),
        ...(field !== undefined ? { field } : {}),
      })),
    });
  }
  if (error instanceof EngineError) return new ApiError(engineStatus(error.code), error.code, error.message);
  if (error instanceof TokenError) return new ApiError(TOKEN_STATUS[error.code], error.code, error.message);
  if (error instanceof z.ZodError) return requestInvalid(error, 'Request');
  if (temporalUnreachable(error)) {
    return new ApiError(
      503,
      'temporal_unavailable',
      `Temporal is not reachable at ${temporalAddress()}: check it with \`pincer doctor\`.`,
    );
  }
  getLog().error({ event: 'request_failed', err: error }, 'API request failed');
  return new ApiError(500, 'internal', 'Internal error: the server log has the details.');
}

/** The one error shape every /api/v1 endpoint answers with: `{ "error": { code, message, issues? } }`. */
export function errorResponse(error: unknown): Response {
  const { status, code, message, extra } = toApiError(error);
  const body = {
    error: {
      code,
      message,
      ...(extra.issues ? { issues: extra.issues } : {}),
      ...(extra.runId ? { runId: extra.runId } : {}),
    },
  };
  return Response.json(body, { status, headers: { 'Cache-Control': 'no-store', ...extra.headers } });
}
