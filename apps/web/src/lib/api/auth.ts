import type { ApiToken, PrismaClient, Role, User } from '@pincer/db';
import { authenticateToken, roleAllows, tokenActor } from '@pincer/engine';
import { ApiError } from './errors.ts';

/** Who is calling: the token's user, the role the request acts with, and the audit actor. */
export interface Caller {
  user: User;
  token: ApiToken;
  role: Role;
  /** "ada@example.com (token:pcr_Ab12Cd34)", as runs, approvals and audit events record it. */
  actor: string;
}

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="pincer"' };
const GET_A_TOKEN = 'create one with `pincer token create` (or POST /api/v1/tokens as an owner)';

function bearerToken(request: Request): string {
  const header = request.headers.get('authorization');
  if (!header) {
    throw new ApiError(
      401,
      'unauthorized',
      `This endpoint needs an API token: send "Authorization: Bearer <token>"; ${GET_A_TOKEN}.`,
      { headers: CHALLENGE },
    );
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) {
    throw new ApiError(401, 'unauthorized', 'The Authorization header must be "Bearer <token>".', {
      headers: CHALLENGE,
    });
  }
  return match[1];
}

/** Authenticates the request's bearer token and checks that it may act as `required`. */
export async function authorize(db: PrismaClient, request: Request, required: Role): Promise<Caller> {
  const found = await authenticateToken(db, bearerToken(request));
  if (!found) {
    throw new ApiError(401, 'unauthorized', `The API token is unknown, revoked or expired: ${GET_A_TOKEN}.`, {
      headers: CHALLENGE,
    });
  }
  if (!roleAllows(found.role, required)) {
    throw new ApiError(
      403,
      'forbidden',
      `This token acts as ${found.role}; this needs ${required} or above: use a token of a user with that role.`,
    );
  }
  return { ...found, actor: tokenActor(found.token, found.user) };
}
