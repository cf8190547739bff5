import { channelSummaries } from '@pincer/config';
import {
  decidePairing,
  describeSchedule,
  listPairings,
  listSchedules,
  listWebhooks,
  rotateWebhookSecret,
} from '@pincer/engine';
import { z } from 'zod';
import { getConfig } from '../../config.ts';
import { getTemporal } from '../../services.ts';
import { editorProcedure, ownerProcedure, router, viewerProcedure } from '../init.ts';

const TriggerEntry = z.looseObject({ type: z.string(), name: z.string().optional() });
const DraftTriggers = z.looseObject({ triggers: z.array(TriggerEntry).optional() });

/** Every schedule with its next fire times from Temporal, or why they could not be read. */
export async function describedSchedules(db: Parameters<typeof listSchedules>[0]) {
  const temporal = await getTemporal();
  return Promise.all(
    (await listSchedules(db)).map(async (schedule) => {
      try {
        const described = await describeSchedule(db, temporal, schedule.id);
        return { ...schedule, paused: described.paused, nextRuns: described.nextRuns, problem: null };
      } catch (error) {
        return {
          ...schedule,
          nextRuns: [] as Date[],
          problem: error instanceof Error ? error.message : String(error),
        };
      }
    }),
  );
}

const GatewayHealth = z.object({
  channels: z.array(
    z.object({
      platform: z.string(),
      state: z.string(),
      error: z.string().optional(),
      retryInMs: z.number().optional(),
      received: z.number().optional(),
    }),
  ),
});

async function gatewayHealth(url: string) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    const parsed = GatewayHealth.safeParse(await response.json());
    if (!parsed.success)
      return { reachable: false as const, problem: `${url} did not answer like a Pincer gateway.` };
    return { reachable: true as const, channels: parsed.data.channels };
  } catch (error) {
    return {
      reachable: false as const,
      problem: `The gateway is not reachable at ${url} (${error instanceof Error ? error.message : String(error)}): it starts with \`npm start\` when channels are configured.`,
    };
  }
}

export const triggersRouter = router({
  /** Every workflow's triggers in one place: webhooks, schedules and manual starts. */
  list: viewerProcedure.query(async ({ ctx }) => {
    const workflows = await ctx.db.workflow.findMany({
      where: { archivedAt: null },
      select: { name: true, definition: true },
      orderBy: { name: 'asc' },
    });
    const manual = workflows
      .filter((workflow) => {
        const triggers = DraftTriggers.safeParse(workflow.definition).data?.triggers ?? [];
        // A workflow without triggers starts by hand (studio, API, CLI) like one with `manual`.
        return triggers.length === 0 || triggers.some((trigger) => trigger.type === 'manual');
      })
      .map((workflow) => workflow.name);
    return {
      publicUrl: getConfig().server.publicUrl ?? null,
      webhooks: await listWebhooks(ctx.db),
      schedules: await describedSchedules(ctx.db),
      manual,
    };
  }),
  /** A new secret for a webhook; the answer is the only time it is shown. */
  rotateSecret: editorProcedure
    .input(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => rotateWebhookSecret(ctx.db, input.id, ctx.actor)),
});

export const channelsRouter = router({
  /** The chat channels in pincer.yaml with their live state from the gateway's health. */
  status: viewerProcedure.query(async () => {
    const config = getConfig();
    const configured = channelSummaries(config.channels);
    const url = config.gateway.healthUrl;
    const gateway =
      configured.length > 0 ? await gatewayHealth(url) : { reachable: false as const, problem: null };
    return {
      gatewayUrl: url,
      gatewayProblem: gateway.reachable ? null : gateway.problem,
      channels: configured.map((channel) => {
        const live = gateway.reachable
          ? gateway.channels.find((health) => health.platform === channel.platform)
          : undefined;
        return {
          ...channel,
          state: live?.state ?? 'unknown',
          error: live?.error ?? null,
          retryInMs: live?.retryInMs ?? null,
          received: live?.received ?? null,
        };
      }),
    };
  }),
  /** Owner-only like REST: a pending code is what approves someone (`pincer chat approve CODE`). */
  pairings: ownerProcedure
    .input(z.object({ status: z.enum(['pending', 'approved', 'rejected']).optional() }).default({}))
    .query(({ ctx, input }) => listPairings(ctx.db, input.status ? { status: input.status } : {})),
  /** Owners approve or reject who may talk to the assistant, as `pincer chat approve` does. */
  decidePairing: ownerProcedure
    .input(z.object({ code: z.string().min(1).max(20), approved: z.boolean() }))
    .mutation(({ ctx, input }) =>
      decidePairing(ctx.db, { code: input.code, approved: input.approved, actor: ctx.actor }),
    ),
});
