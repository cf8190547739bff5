import type { Prisma, PrismaClient } from '@pincer/db';
import { checksumOf, findVersion, publishTriggers, saveWorkflow, startRun } from '@pincer/engine';
import { TRIGGER_TYPES } from '@pincer/nodes';
import {
  CompileError,
  type CompileIssue,
  compile,
  definitionToGraph,
  graphToDefinition,
  parseWorkflowYaml,
  toWorkflowYaml,
  WorkflowDefinitionSchema,
  type WorkflowGraph,
} from '@pincer/workflow';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { getRegistry, getTemporal } from '../../services.ts';
import { GraphInput } from '../graph.ts';
import { editorProcedure, router, viewerProcedure } from '../init.ts';

const WorkflowName = z
  .string()
  .max(100)
  .regex(/^[a-z][a-z0-9_-]*$/, 'use lowercase letters, digits, _ and -, starting with a letter');

function asJson(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value));
}

/**
 * The dotted paths into a JSON value, 4 levels deep and 60 paths at most; a list's paths are its
 * first item's (JSONata maps `items.price` over every item).
 */
export function pathsOf(value: unknown, prefix = '', depth = 0, into: string[] = []): string[] {
  if (depth >= 4 || into.length >= 60) return into;
  const item = Array.isArray(value)
    ? value.find((entry) => entry !== null && typeof entry === 'object')
    : value;
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return into;
  for (const [key, child] of Object.entries(item)) {
    if (!/^[A-Za-z_]\w*$/.test(key) || into.length >= 60) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    into.push(path);
    pathsOf(child, path, depth + 1, into);
  }
  return into;
}

/** Compile problems as a list (empty when the definition compiles). */
async function issuesOf(definition: unknown): Promise<CompileIssue[]> {
  try {
    compile(definition, await getRegistry());
    return [];
  } catch (error) {
    if (error instanceof CompileError) return error.issues;
    throw error;
  }
}

/** A draft as stored: a definition's shape, though it may not compile yet (or have no steps). */
const DraftShape = z.object({
  name: z.string(),
  description: z.string().optional(),
  tags: z.array(z.string()).optional(),
  vars: z.record(z.string(), z.unknown()).optional(),
  triggers: z.array(z.looseObject({ type: z.enum(TRIGGER_TYPES) })).optional(),
  steps: z.array(z.looseObject({ name: z.string(), type: z.string() })),
});

/** A stored draft as a graph for the canvas. */
function graphOf(definition: unknown, fallbackName: string): WorkflowGraph {
  const parsed = DraftShape.safeParse(definition);
  if (parsed.success) return definitionToGraph(parsed.data);
  return { name: fallbackName, triggers: [], nodes: [], edges: [] };
}

async function workflowOrThrow(db: PrismaClient, name: string) {
  const workflow = await db.workflow.findUnique({ where: { name } });
  if (!workflow || workflow.archivedAt)
    throw new TRPCError({ code: 'NOT_FOUND', message: `No workflow named "${name}".` });
  return workflow;
}

/** Whether the draft differs from the latest published version. */
async function draftState(db: PrismaClient, workflowId: string, draft: unknown) {
  const latest = await db.workflowVersion.findFirst({ where: { workflowId }, orderBy: { version: 'desc' } });
  if (!latest) return { latestVersion: null, unpublished: true };
  try {
    const compiled = compile(draft, await getRegistry());
    return {
      latestVersion: latest.version,
      unpublished: checksumOf(compiled.definition) !== latest.checksum,
    };
  } catch {
    return { latestVersion: latest.version, unpublished: true };
  }
}

export const workflowsRouter = router({
  list: viewerProcedure
    .input(z.object({ search: z.string().optional(), tag: z.string().optional() }).default({}))
    .query(async ({ ctx, input }) => {
      const search = input.search?.trim();
      const rows = await ctx.db.workflow.findMany({
        where: {
          archivedAt: null,
          ...(search
            ? {
                OR: [
                  { name: { contains: search, mode: 'insensitive' } },
                  { description: { contains: search, mode: 'insensitive' } },
                ],
              }
            : {}),
          ...(input.tag ? { tags: { has: input.tag } } : {}),
        },
        orderBy: { updatedAt: 'desc' },
        include: {
          versions: { orderBy: { version: 'desc' }, take: 1, select: { version: true } },
          runs: {
            orderBy: { createdAt: 'desc' },
            take: 1,
            select: { id: true, status: true, createdAt: true },
          },
        },
      });
      const tags = await ctx.db.workflow.findMany({ where: { archivedAt: null }, select: { tags: true } });
      return {
        workflows: rows.map((row) => ({
          name: row.name,
          description: row.description,
          tags: row.tags,
          latestVersion: row.versions[0]?.version ?? null,
          lastRun: row.runs[0] ?? null,
          updatedAt: row.updatedAt,
        })),
        tags: [...new Set(tags.flatMap((row) => row.tags))].sort(),
      };
    }),

  create: editorProcedure
    .input(z.object({ name: WorkflowName, description: z.string().max(500).optional() }))
    .mutation(async ({ ctx, input }) => {
      const existing = await ctx.db.workflow.findUnique({ where: { name: input.name } });
      if (existing && !existing.archivedAt)
        throw new TRPCError({
          code: 'CONFLICT',
          message: `A workflow named "${input.name}" exists: pick another name.`,
        });
      const draft = {
        name: input.name,
        ...(input.description ? { description: input.description } : {}),
        steps: [],
      };
      const workflow = await ctx.db.workflow.upsert({
        where: { name: input.name },
        create: {
          name: input.name,
          description: input.description ?? null,
          definition: draft,
          createdById: ctx.user.id,
        },
        update: { archivedAt: null, definition: draft, description: input.description ?? null },
      });
      await ctx.db.auditEvent.create({
        data: {
          actor: ctx.actor,
          action: 'workflow.created',
          targetType: 'workflow',
          targetId: workflow.id,
          data: { name: input.name },
        },
      });
      return { name: workflow.name };
    }),

  /** The draft as a graph and as YAML, its compile problems and how it stands against the versions. */
  get: viewerProcedure.input(z.object({ name: z.string() })).query(async ({ ctx, input }) => {
    const workflow = await workflowOrThrow(ctx.db, input.name);
    const graph = graphOf(workflow.definition, workflow.name);
    const versions = await ctx.db.workflowVersion.findMany({
      where: { workflowId: workflow.id },
      orderBy: { version: 'desc' },
      select: { version: true, createdAt: true, createdBy: { select: { email: true } } },
    });
    return {
      name: workflow.name,
      graph,
      issues: await issuesOf(workflow.definition),
      ...(await draftState(ctx.db, workflow.id, workflow.definition)),
      versions: versions.map((v) => ({
        version: v.version,
        createdAt: v.createdAt,
        by: v.createdBy?.email ?? null,
      })),
      updatedAt: workflow.updatedAt,
    };
  }),

  /** Compile problems of a graph being edited (nothing is stored). */
  /**
   * The fields each step's output had in this workflow's latest runs (`body.items.price`...), for
   * expression completion: the studio cannot know an output's shape before a step has run.
   */
  outputPaths: viewerProcedure.input(z.object({ name: z.string() })).query(async ({ ctx, input }) => {
    const workflow = await ctx.db.workflow.findUnique({ where: { name: input.name }, select: { id: true } });
    if (!workflow) return {};
    const steps = await ctx.db.stepRun.findMany({
      where: { run: { workflowId: workflow.id }, status: 'succeeded' },
      orderBy: { createdAt: 'desc' },
      take: 200,
      select: { stepName: true, output: true },
    });
    const paths: Record<string, string[]> = {};
    for (const step of steps) paths[step.stepName] ??= pathsOf(step.output);
    return paths;
  }),

  check: viewerProcedure.input(z.object({ graph: GraphInput })).query(async ({ input }) => {
    const definition = graphToDefinition(input.graph);
    return { issues: await issuesOf(definition) };
  }),

  toYaml: viewerProcedure.input(z.object({ graph: GraphInput })).query(({ input }) => {
    return { yaml: toWorkflowYaml(graphToDefinition(input.graph)) };
  }),

  /** YAML typed in the YAML tab, as a graph for the canvas; a parse error is an answer, not a failure. */
  fromYaml: viewerProcedure
    .input(z.object({ yaml: z.string().max(1024 * 1024) }))
    .mutation(async ({ input }) => {
      let raw: unknown;
      try {
        raw = parseWorkflowYaml(input.yaml);
      } catch (error) {
        if (error instanceof CompileError) return { ok: false as const, issues: error.issues };
        throw error;
      }
      const parsed = WorkflowDefinitionSchema.safeParse(raw);
      if (!parsed.success) {
        return {
          ok: false as const,
          issues: parsed.error.issues.map((issue) => ({
            code: 'definition_invalid' as const,
            message: `${issue.path.join('.') || 'workflow'}: ${issue.message}`,
          })),
        };
      }
      return {
        ok: true as const,
        graph: graphOf(parsed.data, 'untitled'),
        issues: await issuesOf(parsed.data),
      };
    }),

  saveDraft: editorProcedure
    .input(z.object({ name: z.string(), graph: GraphInput }))
    .mutation(async ({ ctx, input }) => {
      const workflow = await workflowOrThrow(ctx.db, input.name);
      if (input.graph.name !== input.name) {
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: `The workflow is "${input.name}"; to rename it, create a new workflow and paste the steps.`,
        });
      }
      const definition = graphToDefinition(input.graph);
      await ctx.db.workflow.update({
        where: { id: workflow.id },
        data: {
          definition: asJson(definition),
          description: definition.description ?? null,
          tags: definition.tags ?? [],
        },
      });
      await ctx.db.auditEvent.create({
        data: {
          actor: ctx.actor,
          action: 'workflow.draft_saved',
          targetType: 'workflow',
          targetId: workflow.id,
          data: { name: input.name, steps: definition.steps.length },
        },
      });
      return { issues: await issuesOf(definition), ...(await draftState(ctx.db, workflow.id, definition)) };
    }),

  /** Freezes the saved draft into a new version and points the triggers at it. */
  publish: editorProcedure.input(z.object({ name: z.string() })).mutation(async ({ ctx, input }) => {
    const workflow = await workflowOrThrow(ctx.db, input.name);
    return publishDefinition(ctx, workflow.definition, 'workflow.published');
  }),

  version: viewerProcedure
    .input(z.object({ name: z.string(), version: z.number().int().min(1) }))
    .query(async ({ ctx, input }) => {
      const found = await findVersion(ctx.db, input.name, input.version);
      const definition = compile(found.version.definition, await getRegistry()).definition;
      return {
        version: found.version.version,
        yaml: toWorkflowYaml(definition),
        createdAt: found.version.createdAt,
      };
    }),

  /** Publishes an earlier version's definition again, as the newest version (and the draft). */
  rollback: editorProcedure
    .input(z.object({ name: z.string(), version: z.number().int().min(1) }))
    .mutation(async ({ ctx, input }) => {
      const found = await findVersion(ctx.db, input.name, input.version);
      return publishDefinition(ctx, found.version.definition, 'workflow.rolled_back', {
        from: input.version,
      });
    }),

  archive: editorProcedure.input(z.object({ name: z.string() })).mutation(async ({ ctx, input }) => {
    const workflow = await workflowOrThrow(ctx.db, input.name);
    await ctx.db.workflow.update({ where: { id: workflow.id }, data: { archivedAt: new Date() } });
    await ctx.db.auditEvent.create({
      data: {
        actor: ctx.actor,
        action: 'workflow.archived',
        targetType: 'workflow',
        targetId: workflow.id,
        data: { name: input.name },
      },
    });
    return { name: input.name };
  }),

  /** Starts a run of the latest published version with the given input. */
  run: editorProcedure
    .input(z.object({ name: z.string(), input: z.unknown().default({}) }))
    .mutation(async ({ ctx, input }) => {
      const started = await startRun(ctx.db, await getTemporal(), {
        workflow: input.name,
        input: input.input,
        triggerKind: 'manual',
        actor: ctx.actor,
        userId: ctx.user.id,
      });
      return { runId: started.runId, version: started.workflow.version };
    }),
});

async function publishDefinition(
  ctx: { db: PrismaClient; actor: string; user: { id: string } },
  definition: unknown,
  action: string,
  extra: Record<string, unknown> = {},
) {
  const saved = await saveWorkflow(ctx.db, {
    source: definition,
    catalog: await getRegistry(),
    actor: ctx.actor,
    userId: ctx.user.id,
  });
  const triggers = await publishTriggers(ctx.db, await getTemporal(), saved.name, ctx.actor);
  await ctx.db.auditEvent.create({
    data: {
      actor: ctx.actor,
      action,
      targetType: 'workflow',
      targetId: saved.id,
      data: { name: saved.name, version: saved.version, ...extra },
    },
  });
  return {
    version: saved.version,
    created: saved.created,
    schedules: triggers.schedules.length,
    webhooks: triggers.webhooks.length,
  };
}
