import { TRIGGER_TYPES } from '@pincer/nodes';
import { z } from 'zod';

const Position = z.object({ x: z.number(), y: z.number() });

/** The canvas's graph as the browser sends it; graphToDefinition and compile check the rest. */
export const GraphInput = z.object({
  name: z.string().min(1).max(100),
  description: z.string().optional(),
  tags: z.array(z.string()).optional(),
  vars: z.record(z.string(), z.unknown()).optional(),
  triggers: z.array(
    z.object({
      type: z.enum(TRIGGER_TYPES),
      name: z.string().optional(),
      position: Position.optional(),
      config: z.record(z.string(), z.unknown()),
    }),
  ),
  nodes: z
    .array(
      z.object({
        id: z.string().min(1).max(100),
        type: z.string().min(1),
        position: Position.optional(),
        data: z.object({
          description: z.string().optional(),
          join: z.enum(['all', 'any']).optional(),
          when: z.string().optional(),
          on_error: z.enum(['fail', 'continue']).optional(),
          retry: z
            .object({
              max_attempts: z.number().optional(),
              initial_interval: z.union([z.string(), z.number()]).optional(),
              backoff: z.number().optional(),
              max_interval: z.union([z.string(), z.number()]).optional(),
            })
            .optional(),
          timeout: z.union([z.string(), z.number()]).optional(),
          config: z.record(z.string(), z.unknown()),
        }),
      }),
    )
    .max(2000),
  edges: z
    .array(z.object({ id: z.string(), source: z.string(), sourceHandle: z.string(), target: z.string() }))
    .max(10_000),
});
