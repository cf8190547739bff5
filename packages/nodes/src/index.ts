export {
  type BrowserAction,
  type BrowserActionInput,
  type BrowserActionName,
  browserActionSchema,
} from './browser-actions.ts';
export { builtinNodes, type ControlNodeType } from './builtin.ts';
export {
  type ArtifactRef,
  type ArtifactStore,
  type BrowserScriptRequest,
  type BrowserScriptResult,
  type BrowserService,
  CAPABILITIES,
  type Capability,
  type ChatDelivery,
  type ChatFileStore,
  type DeliveryProgress,
  defineNode,
  type Execution,
  type InferenceService,
  type LlmMessage,
  type LlmRequest,
  type LlmResult,
  type LlmTool,
  type LlmToolCall,
  type MessagingService,
  type ModelInfo,
  type ModelStatus,
  NODE_TYPE_PATTERN,
  type NodeContext,
  type NodeDefinition,
  type NodeDocs,
  type NodeServices,
  type NodeSettings,
  portName,
  type RetryPolicy,
  type SandboxRequest,
  type SandboxResult,
  type SandboxService,
  type SandboxStatus,
  taskQueueFor,
} from './define.ts';
export { duration, parseDuration } from './duration.ts';
export { NodeError, type NodeErrorOptions } from './errors.ts';
export { GuardedProxy, type ProxyGate, resolveGuarded } from './guarded-proxy.ts';
export {
  CATEGORIES,
  CATEGORY_LABELS,
  type Category,
  SIDE_EFFECTS,
  type SideEffects,
  TRIGGER_TYPES,
  type TriggerType,
  triggerNodeType,
} from './kinds.ts';
export { type ApprovalConfig, approval } from './nodes/approval.ts';
export { type BrowserConfig, browser } from './nodes/browser.ts';
export { condition } from './nodes/condition.ts';
export { type DelayConfig, delay } from './nodes/delay.ts';
export { type ExternalActivityConfig, externalActivity } from './nodes/external-activity.ts';
export { type ForEachConfig, forEach } from './nodes/for-each.ts';
export { type HttpRequestConfig, httpRequest } from './nodes/http-request.ts';
export { type LlmChatConfig, llmChat } from './nodes/llm-chat.ts';
export { type LlmClassifyConfig, llmClassify } from './nodes/llm-classify.ts';
export { type LlmExtractConfig, llmExtract } from './nodes/llm-extract.ts';
export { type LlmSummarizeConfig, llmSummarize, splitIntoChunks } from './nodes/llm-summarize.ts';
export { type ManualTriggerConfig, manualTrigger } from './nodes/manual-trigger.ts';
export { type MessageConfig, message } from './nodes/message.ts';
export { type PythonConfig, python } from './nodes/python.ts';
export { type RespondConfig, respond } from './nodes/respond.ts';
export { type ScheduleTriggerConfig, scheduleTrigger } from './nodes/schedule-trigger.ts';
export { type ShellConfig, shell } from './nodes/shell.ts';
export { type SubWorkflowConfig, subWorkflow } from './nodes/sub-workflow.ts';
export { switchNode } from './nodes/switch.ts';
export { transform } from './nodes/transform.ts';
export { type WebhookTriggerConfig, webhookTrigger } from './nodes/webhook-trigger.ts';
export { loadPlugins } from './plugins.ts';
export { type PrivateAddressGuard, privateAddressGuard } from './private-address.ts';
export { answerHeaderAllowed, isTruthy } from './pure.ts';
export {
  type CatalogEntry,
  createRegistry,
  type JsonSchema,
  NodeRegistry,
  NodeRegistryError,
  type PluginNode,
} from './registry.ts';
export { type SandboxStepOutput, wallClockLimit } from './sandbox-step.ts';
