import type { NodeDefinition, NodeDocs } from './define.ts';
import { approval } from './nodes/approval.ts';
import { browser } from './nodes/browser.ts';
import { condition } from './nodes/condition.ts';
import { delay } from './nodes/delay.ts';
import { externalActivity } from './nodes/external-activity.ts';
import { forEach } from './nodes/for-each.ts';
import { httpRequest } from './nodes/http-request.ts';
import { llmChat } from './nodes/llm-chat.ts';
import { llmClassify } from './nodes/llm-classify.ts';
import { llmExtract } from './nodes/llm-extract.ts';
import { llmSummarize } from './nodes/llm-summarize.ts';
import { manualTrigger } from './nodes/manual-trigger.ts';
import { message } from './nodes/message.ts';
import { python } from './nodes/python.ts';
import { respond } from './nodes/respond.ts';
import { scheduleTrigger } from './nodes/schedule-trigger.ts';
import { shell } from './nodes/shell.ts';
import { subWorkflow } from './nodes/sub-workflow.ts';
import { switchNode } from './nodes/switch.ts';
import { transform } from './nodes/transform.ts';
import { webhookTrigger } from './nodes/webhook-trigger.ts';

/** A node type Pincer ships: it carries its docs (example, notes, minimal config). */
type BuiltinDefinition = NodeDefinition & { docs: NodeDocs };

/**
 * Every node type Pincer ships; adding one is a file in nodes/ and a line here. The docs, the
 * tests, the catalog and chat's side-effect check derive from the definitions.
 */
const BUILTIN = [
  manualTrigger,
  webhookTrigger,
  scheduleTrigger,
  transform,
  condition,
  switchNode,
  respond,
  delay,
  approval,
  forEach,
  subWorkflow,
  externalActivity,
  httpRequest,
  shell,
  python,
  browser,
  llmChat,
  llmExtract,
  llmClassify,
  llmSummarize,
  message,
];

export const builtinNodes: readonly BuiltinDefinition[] = BUILTIN;

type BuiltinNode = (typeof BUILTIN)[number];

/**
 * The built-in node types the interpreter workflow runs itself (control nodes that are not
 * triggers). Its handlers are keyed by these with `satisfies`, so a new one without a handler
 * does not compile.
 */
export type ControlNodeType = Extract<
  BuiltinNode,
  { execution: 'control'; category: Exclude<BuiltinNode['category'], 'trigger'> }
>['type'];
