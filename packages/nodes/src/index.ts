export { builtinNodes } from './builtin.ts';
export {
  type ArtifactRef,
  type ArtifactStore,
  CAPABILITIES,
  CATEGORIES,
  type Capability,
  type Category,
  type ChatDelivery,
  type DeliveryProgress,
  defineNode,
  type Execution,
  type InferenceService,
  type LlmMessage,
  type LlmRequest,
  type LlmResult,
  type MessagingService,
  type ModelInfo,
  type ModelStatus,
  type NodeContext,
  type NodeDefinition,
  type NodeServices,
  type NodeSettings,
  portName,
  type RetryPolicy,
  taskQueueFor,
} from './define.ts';
export { duration, parseDuration } from './duration.ts';
export { NodeError, type NodeErrorOptions } from './errors.ts';
export { type ApprovalConfig, approval } from './nodes/approval.ts';
export { condition, isTruthy } from './nodes/condition.ts';
export { type DelayConfig, delay } from './nodes/delay.ts';
export { type ExternalActivityConfig, externalActivity } from './nodes/external-activity.ts';
export { type ForEachConfig, forEach } from './nodes/for-each.ts';
export { type HttpRequestConfig, httpRequest } from './nodes/http-request.ts';
export { type ManualTriggerConfig, manualTrigger } from './nodes/manual-trigger.ts';
export { type MessageConfig, message } from './nodes/message.ts';
export { type RespondConfig, respond } from './nodes/respond.ts';
export { type ScheduleTriggerConfig, scheduleTrigger } from './nodes/schedule-trigger.ts';
export { type SubWorkflowConfig, subWorkflow } from './nodes/sub-workflow.ts';
export { switchNode } from './nodes/switch.ts';
export { transform } from './nodes/transform.ts';
export { type WebhookTriggerConfig, webhookTrigger } from './nodes/webhook-trigger.ts';
export { loadPlugins } from './plugins.ts';
export {
  type CatalogEntry,
  createRegistry,
  type JsonSchema,
  NodeRegistry,
  NodeRegistryError,
  type PluginNode,
} from './registry.ts';
