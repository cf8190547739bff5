import type { PrismaClient, Role, User } from '@pincer/db';
import { EngineError, roleAllows, TokenError } from '@pincer/engine';
import { CompileError } from '@pincer/workflow';
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { sessionUser, userActor } from '../auth/session.ts';
import { getDb } from '../services.ts';

type CookieRequest = Parameters<typeof sessionUser>[0];

export interface Context {
  user: User | null;
  db: PrismaClient;
}

export async function createContext(req: CookieRequest): Promise<Context> {
  return { user: await sessionUser(req), db: await getDb() };
}

/** Engine and compile errors keep their code and message: the UI shows the same text as the CLI. */
function domainError(error: unknown): { code: string; issues?: unknown } | undefined {
  if (error instanceof CompileError) return { code: 'compile_failed', issues: error.issues };
  if (error instanceof EngineError || error instanceof TokenError) return { code: error.code };
  return undefined;
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    return { ...shape, data: { ...shape.data, domain: domainError(error.cause) ?? null } };
  },
});

export const router = t.router;

function trpcCode(code: string): 'NOT_FOUND' | 'FORBIDDEN' | 'BAD_REQUEST' {
  if (code.endsWith('_not_found')) return 'NOT_FOUND';
  return code === 'not_an_approver' ? 'FORBIDDEN' : 'BAD_REQUEST';
}

/** Turns engine failures into tRPC errors whose message says what to do. */
const translateErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  if (cause instanceof CompileError || cause instanceof EngineError || cause instanceof TokenError) {
    const code = 'code' in cause ? String(cause.code) : '';
    throw new TRPCError({ code: trpcCode(code), message: cause.message, cause });
  }
  return result;
});

/**
 * Every procedure is one of these three: there is no public procedure. The session's user is read
 * fresh on each request, so a changed role or a disabled account takes effect at once.
 */
function withRole(required: Role) {
  return t.procedure.use(translateErrors).use(({ ctx, next }) => {
    const { user } = ctx;
    if (!user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to the studio first.' });
    if (!roleAllows(user.role, required)) {
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: `You are signed in as ${user.role}; this needs ${required} or above: ask an owner to change your role.`,
      });
    }
    return next({ ctx: { ...ctx, user, actor: userActor(user) } });
  });
}

export const viewerProcedure = withRole('viewer');
export const editorProcedure = withRole('editor');
export const ownerProcedure = withRole('owner');
