import {
  archiveWorkflow,
  createWorkflow,
  findVersion,
  getDraft,
  graphOf,
  issuesOf,
  listWorkflows,
  outputPaths,
  publishDraft,
  rollbackWorkflow,
  saveDraft,
  startRun,
  workflowTags,
} from '@pincer/engine';
import {
  CompileError,
  compile,
  graphToDefinition,
  parseWorkflowYaml,
  toWorkflowYaml,
  WorkflowDefinitionSchema,
  WorkflowGraphSchema,
} from '@pincer/workflow';
import { z } from 'zod';
import { getRegistry, getTemporal } from '../../services.ts';
import { editorProcedure, router, viewerProcedure } from '../init.ts';

const WorkflowName = z
  .string()
  .max(100)
  .regex(/^[a-z][a-z0-9_-]*$/, 'use lowercase letters, digits, _ and -, starting with a letter');

/** What the studio shows of a publish: the version and how many triggers now point at it. */
function published(saved: Awaited<ReturnType<typeof publishDraft>>) {
  return {
    version: saved.version,
    created: saved.created,
    schedules: saved.triggers.schedules.length,
    webhooks: saved.triggers.webhooks.length,
  };
}

export const workflowsRouter = router({
  list: viewerProcedure
    .input(z.object({ search: z.string().optional(), tag: z.string().optional() }).default({}))
    .query(async ({ ctx, input }) => ({
      workflows: await listWorkflows(ctx.db, { ...input, order: 'updated' }),
      tags: await workflowTags(ctx.db),
    })),

  create: editorProcedure
    .input(z.object({ name: WorkflowName, description: z.string().max(500).optional() }))
    .mutation(({ ctx, input }) =>
      createWorkflow(ctx.db, { ...input, actor: ctx.actor, userId: ctx.user.id }),
    ),

  /** The draft as a graph and as YAML, its compile problems and how it stands against the versions. */
  get: viewerProcedure
    .input(z.object({ name: z.string() }))
    .query(async ({ ctx, input }) => getDraft(ctx.db, await getRegistry(), input.name)),

  /**
   * The fields each step's output had in this workflow's latest runs (`body.items.price`...), for
   * expression completion: the studio cannot know an output's shape before a step has run.
   */
  outputPaths: viewerProcedure
    .input(z.object({ name: z.string() }))
    .query(({ ctx, input }) => outputPaths(ctx.db, input.name)),

  /** Compile problems of a graph being edited (nothing is stored). */
  check: viewerProcedure.input(z.object({ graph: WorkflowGraphSchema })).query(async ({ input }) => ({
    issues: issuesOf(graphToDefinition(input.graph), await getRegistry()),
  })),

  toYaml: viewerProcedure.input(z.object({ graph: WorkflowGraphSchema })).query(({ input }) => {
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
        issues: issuesOf(parsed.data, await getRegistry()),
      };
    }),

  saveDraft: editorProcedure
    .input(z.object({ name: z.string(), graph: WorkflowGraphSchema }))
    .mutation(async ({ ctx, input }) =>
      saveDraft(ctx.db, await getRegistry(), {
        name: input.name,
        definition: graphToDefinition(input.graph),
        actor: ctx.actor,
      }),
    ),

  /** Freezes the saved draft into a new version and points the triggers at it. */
  publish: editorProcedure.input(z.object({ name: z.string() })).mutation(async ({ ctx, input }) =>
    published(
      await publishDraft(ctx.db, await getTemporal(), await getRegistry(), {
        name: input.name,
        actor: ctx.actor,
        userId: ctx.user.id,
      }),
    ),
  ),

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
    .mutation(async ({ ctx, input }) =>
      published(
        await rollbackWorkflow(ctx.db, await getTemporal(), await getRegistry(), {
          ...input,
          actor: ctx.actor,
          userId: ctx.user.id,
        }),
      ),
    ),

  archive: editorProcedure.input(z.object({ name: z.string() })).mutation(async ({ ctx, input }) => {
    await archiveWorkflow(ctx.db, input.name, ctx.actor);
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
