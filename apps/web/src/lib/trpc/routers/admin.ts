import { Role } from '@pincer/db';
import {
  changePassword,
  createApiToken,
  createUser,
  deleteCredential,
  listApiTokens,
  listAuditEvents,
  listCredentials,
  listUsers,
  revokeApiToken,
  setCredential,
  setSchedulePaused,
  setUserDisabled,
  setUserRole,
} from '@pincer/engine';
import { z } from 'zod';
import { getConfig } from '../../config.ts';
import { getRegistry, getSecretKey, getTemporal } from '../../services.ts';
import { editorProcedure, ownerProcedure, router, viewerProcedure } from '../init.ts';
import { describedSchedules } from './triggers.ts';

const JsonObject = z.record(z.string(), z.unknown());

export const nodesRouter = router({
  /** The palette: every node type with its JSON schema, as the worker registers them. */
  catalog: viewerProcedure.query(async () => {
    return (await getRegistry()).catalog().map((entry) => ({
      type: entry.type,
      title: entry.title,
      description: entry.description,
      category: entry.category,
      outputs: entry.outputs === 'dynamic' ? ('dynamic' as const) : [...entry.outputs],
      configSchema: JsonObject.parse(JSON.parse(JSON.stringify(entry.configSchema))),
    }));
  }),
});

export const schedulesRouter = router({
  list: viewerProcedure.query(({ ctx }) => describedSchedules(ctx.db)),
  setPaused: editorProcedure
    .input(z.object({ id: z.uuid(), paused: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      await setSchedulePaused(ctx.db, await getTemporal(), input.id, input.paused, ctx.actor);
      return { id: input.id };
    }),
});

export const credentialsRouter = router({
  list: viewerProcedure.query(({ ctx }) => listCredentials(ctx.db)),
  /** Write-only: the value goes in encrypted and never comes back out through the studio. */
  set: editorProcedure
    .input(
      z.object({
        name: z.string().min(1).max(100),
        type: z.string().min(1).max(50).default('secret'),
        value: z.string().min(1),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      return setCredential(ctx.db, await getSecretKey(), { ...input, actor: ctx.actor, userId: ctx.user.id });
    }),
  delete: editorProcedure.input(z.object({ name: z.string() })).mutation(async ({ ctx, input }) => {
    await deleteCredential(ctx.db, input.name, ctx.actor);
    return { name: input.name };
  }),
});

export const tokensRouter = router({
  /** Owners see every token; others their own. */
  list: viewerProcedure.query(({ ctx }) =>
    listApiTokens(ctx.db, ctx.user.role === 'owner' ? {} : { userId: ctx.user.id }),
  ),
  create: viewerProcedure
    .input(
      z.object({
        name: z.string().min(1).max(100),
        role: z.enum(Role),
        expiresInDays: z.number().int().min(1).max(3650).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const created = await createApiToken(ctx.db, {
        userId: ctx.user.id,
        name: input.name,
        role: input.role,
        ...(input.expiresInDays
          ? { expiresAt: new Date(Date.now() + input.expiresInDays * 86_400_000) }
          : {}),
        actor: ctx.actor,
      });
      return { token: created.token, prefix: created.prefix, id: created.id };
    }),
  revoke: viewerProcedure.input(z.object({ id: z.uuid() })).mutation(async ({ ctx, input }) => {
    await revokeApiToken(ctx.db, {
      id: input.id,
      actor: ctx.actor,
      by: { userId: ctx.user.id, role: ctx.user.role },
    });
    return { id: input.id };
  }),
});

export const auditRouter = router({
  list: viewerProcedure
    .input(
      z
        .object({
          actor: z.string().optional(),
          action: z.string().optional(),
          before: z.date().optional(),
          limit: z.number().int().min(1).max(500).default(100),
        })
        .default({ limit: 100 }),
    )
    .query(({ ctx, input }) => listAuditEvents(ctx.db, input)),
});

const ModelStatusShape = z.looseObject({
  model: z.looseObject({}).optional(),
  state: z.string(),
  error: z.string().optional(),
  residentBytes: z.number().optional(),
  tokensPerSecond: z.number().optional(),
  activeRequests: z.number().optional(),
});

export const modelsRouter = router({
  /** The model worker's /health `inference` field (a ModelStatus), or why there is none. */
  status: viewerProcedure.query(async () => {
    const { llmWorker, worker } = getConfig();
    const url = llmWorker.separate ? llmWorker.healthUrl : worker.healthUrl;
    let body: unknown;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
      body = await response.json();
    } catch (error) {
      return {
        reachable: false as const,
        url,
        problem: error instanceof Error ? error.message : String(error),
      };
    }
    const inference =
      body !== null && typeof body === 'object' && 'inference' in body ? body.inference : undefined;
    const parsed = ModelStatusShape.safeParse(inference);
    return { reachable: true as const, url, inference: parsed.success ? parsed.data : null };
  }),
});

export const usersRouter = router({
  me: viewerProcedure.query(({ ctx }) => ({ id: ctx.user.id, email: ctx.user.email, role: ctx.user.role })),
  list: ownerProcedure.query(({ ctx }) => listUsers(ctx.db)),
  create: ownerProcedure
    .input(
      z.object({
        email: z.email(),
        password: z.string().min(8, 'use at least 8 characters'),
        role: z.enum(Role),
      }),
    )
    .mutation(({ ctx, input }) => createUser(ctx.db, { ...input, actor: ctx.actor })),
  setRole: ownerProcedure
    .input(z.object({ id: z.uuid(), role: z.enum(Role) }))
    .mutation(({ ctx, input }) => setUserRole(ctx.db, { ...input, actor: ctx.actor, by: ctx.user.id })),
  /** Disabling signs the user out everywhere and stops their API tokens; enabling gives both back. */
  setDisabled: ownerProcedure
    .input(z.object({ id: z.uuid(), disabled: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      await setUserDisabled(ctx.db, {
        userId: input.id,
        disabled: input.disabled,
        actor: ctx.actor,
        by: ctx.user.id,
      });
      return { id: input.id };
    }),
  /** Everyone changes their own password (the current one first); every session ends with it. */
  changePassword: viewerProcedure
    .input(z.object({ current: z.string().min(1, 'type your current password'), password: z.string() }))
    .mutation(async ({ ctx, input }) => {
      await changePassword(ctx.db, {
        userId: ctx.user.id,
        current: input.current,
        password: input.password,
        actor: ctx.actor,
      });
      return { signedOut: true };
    }),
});
