import { router } from './init.ts';
import {
  auditRouter,
  credentialsRouter,
  modelsRouter,
  nodesRouter,
  schedulesRouter,
  tokensRouter,
  usersRouter,
} from './routers/admin.ts';
import { runsRouter } from './routers/runs.ts';
import { channelsRouter, triggersRouter } from './routers/triggers.ts';
import { workflowsRouter } from './routers/workflows.ts';

/** The studio's API: every procedure needs a signed-in user with at least the role it names. */
export const appRouter = router({
  workflows: workflowsRouter,
  runs: runsRouter,
  nodes: nodesRouter,
  schedules: schedulesRouter,
  credentials: credentialsRouter,
  tokens: tokensRouter,
  audit: auditRouter,
  models: modelsRouter,
  users: usersRouter,
  triggers: triggersRouter,
  channels: channelsRouter,
});

export type AppRouter = typeof appRouter;
