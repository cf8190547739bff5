import { ArtifactError } from '@pincer/artifacts';
import { type Attachment, attachmentsInRunInput, type InboundMessage } from '@pincer/channels';
import type { PrismaClient } from '@pincer/db';
import {
  audit,
  type ChatAccessSettings,
  chatAccessOf,
  conversationOf,
  createRun,
  deliveredMessageId,
  EngineError,
  getRun,
  latestVersions,
  recordDelivery,
  recordInboundMessage,
  requestPairing,
  updateInboundContent,
} from '@pincer/engine';
import { type ChatFileStore, NodeError, type NodeRegistry, type NodeServices } from '@pincer/nodes';
import type { Logger } from '@pincer/runtime';
import { planFromJson, planNodeTypes } from '@pincer/workflow';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ChatActivities, ChatWorkflow, LlmDecision, StoredAttachments } from './chat-contract.ts';

export interface ChatDeps {
  db: PrismaClient;
  services: NodeServices;
  /** The installed node types: whether a workflow's steps have side effects comes from them. */
  registry: NodeRegistry;
  chat: ChatAccessSettings;
  log: Logger;
}

function failureOf(error: unknown): ApplicationFailure {
  if (error instanceof NodeError) {
    const retryAfterMs = error.details.retryAfterMs;
    return ApplicationFailure.create({
      message: error.message,
      type: error.code,
      nonRetryable: !error.retryable,
      details: [error.details],
      ...(typeof retryAfterMs === 'number' ? { nextRetryDelay: retryAfterMs } : {}),
    });
  }
  return ApplicationFailure.retryable(error instanceof Error ? error.message : String(error), 'ChatFailed');
}

export function createChatActivities(deps: ChatDeps): ChatActivities {
  const { db } = deps;

  async function chatWorkflows(): Promise<ChatWorkflow[]> {
    return (await latestVersions(db)).map((version) => ({
      name: version.name,
      ...(version.description ? { description: version.description } : {}),
      sideEffects: deps.registry.withSideEffects(planNodeTypes(planFromJson(version.plan))),
      allowListed: deps.chat.workflows.includes(version.name),
    }));
  }

  /** The files of the message that started a run are listed among the run's artifacts too. */
  async function listChatFiles(runId: string, input: unknown): Promise<void> {
    const store = deps.services.artifacts;
    if (!store || !('attachToRun' in store)) return;
    for (const attachment of attachmentsInRunInput(input)) {
      if (attachment.id)
        await (store as ChatFileStore).attachToRun({ id: attachment.id, runId, stepName: 'trigger' });
    }
  }

  return {
    async admit({ message }: { message: InboundMessage }) {
      const platform = message.sender.platform;
      await recordInboundMessage(db, {
        platform,
        sessionId: message.session_id,
        messageId: message.platform_ids.message_id,
        sender: message.sender.user_id,
        content: message.content,
      });
      const sender = {
        platform,
        userId: message.sender.user_id,
        chatId: message.platform_ids.chat_id,
        ...(message.sender.name ? { name: message.sender.name } : {}),
      };
      const access = await chatAccessOf(db, deps.chat, sender);
      if (access !== 'pending') return { access };
      const pairing = await requestPairing(db, sender);
      return {
        access,
        pairingCode: pairing.code,
        firstContact: pairing.created,
        ...(pairing.status === 'rejected' ? { rejected: true } : {}),
      };
    },

    async storeAttachments({ message }) {
      const platform = message.sender.platform;
      const messaging = deps.services.messaging;
      const store = deps.services.artifacts;
      if (!messaging?.fetchAttachment || !store || !('saveChatFile' in store))
        throw ApplicationFailure.nonRetryable(
          'This worker cannot keep chat files: it needs the messaging capability and the artifact store',
          'chat_files_unavailable',
        );
      const files = store as ChatFileStore;
      const conversationId = await conversationOf(db, platform, message.session_id);
      const attachments: Attachment[] = [];
      const refused: StoredAttachments['refused'] = [];
      for (const attachment of message.content.attachments) {
        if (attachment.id) {
          attachments.push(attachment);
          continue;
        }
        const name = attachment.name ?? (attachment.type === 'image' ? 'photo' : 'file');
        try {
          const file = await messaging.fetchAttachment(platform, attachment);
          const ref = await files.saveChatFile({
            conversationId,
            messageId: message.platform_ids.message_id,
            name: file.name,
            mediaType: file.mediaType,
            data: file.data,
          });
          attachments.push({
            type: attachment.type,
            id: ref.id,
            url: ref.url,
            name: ref.name,
            mediaType: ref.mediaType,
            size: ref.size,
          });
        } catch (error) {
          if (error instanceof NodeError && !error.retryable) {
            refused.push({ name, reason: error.message, tooLarge: error.code === 'chat_too_large' });
            continue;
          }
          if (error instanceof ArtifactError) {
            refused.push({ name, reason: error.message, tooLarge: error.code === 'artifact_too_large' });
            continue;
          }
          throw failureOf(error);
        }
      }
      await updateInboundContent(db, {
        platform,
        messageId: message.platform_ids.message_id,
        content: { ...message.content, attachments },
      });
      if (refused.length > 0)
        await audit(db, {
          actor: `chat:${platform}:${message.sender.user_id}`,
          action: 'chat.files_refused',
          targetId: conversationId,
          data: { messageId: message.platform_ids.message_id, refused },
        });
      return { attachments, refused };
    },

    async accessOf({ sender, chatId }) {
      return chatAccessOf(db, deps.chat, { platform: sender.platform, userId: sender.user_id, chatId });
    },

    chatWorkflows,

    async prepareChatRun(request) {
      const workflows = await chatWorkflows();
      const workflow = workflows.find((candidate) => candidate.name === request.workflow);
      if (!workflow) {
        const names = workflows.map((candidate) => candidate.name);
        return {
          kind: 'refused',
          message: `There is no workflow "${request.workflow}". ${names.length ? `You can run: ${names.join(', ')}` : 'No workflows are imported yet.'}`,
        };
      }
      const mayRunNow =
        request.access === 'owner' ||
        workflow.sideEffects.length === 0 ||
        workflow.allowListed ||
        request.approvedBy !== undefined;
      if (!mayRunNow) {
        return {
          kind: 'needs_approval',
          reason: `${workflow.name} has steps with side effects (${workflow.sideEffects.join(', ')}) and is not allow-listed for chat: an owner must approve this run.`,
        };
      }
      try {
        const run = await createRun(db, {
          workflow: workflow.name,
          input: request.input,
          triggerKind: request.sender.platform === 'email' ? 'email' : 'chat',
          actor: `chat:${request.sender.platform}:${request.sender.user_id}`,
        });
        if (request.approvedBy)
          await audit(db, {
            actor: request.approvedBy,
            action: 'chat.run_approved',
            targetId: run.runId,
            data: { workflow: workflow.name },
          });
        await listChatFiles(run.runId, request.input);
        return { kind: 'start', run };
      } catch (error) {
        if (error instanceof EngineError) return { kind: 'refused', message: error.message };
        throw error;
      }
    },

    async deliver({ key, sessionId, message }) {
      const deliveredId = await deliveredMessageId(db, key);
      if (deliveredId !== undefined) return { messageId: deliveredId };
      const messaging = deps.services.messaging;
      if (!messaging)
        throw ApplicationFailure.nonRetryable(
          'No chat platforms are configured in this worker: add a channels section to pincer.yaml',
          'chat_platform_not_configured',
        );
      const context = Context.current();
      // The last heartbeat's details: the progress object itself (heartbeat takes one value).
      const saved: unknown = context.info.heartbeatDetails;
      const progress =
        saved !== null && typeof saved === 'object' && 'done' in saved && typeof saved.done === 'number'
          ? {
              done: saved.done,
              ...('lastId' in saved && typeof saved.lastId === 'string' ? { lastId: saved.lastId } : {}),
            }
          : { done: 0 };
      try {
        const result = await messaging.send(message, {
          ...progress,
          onPart: (done, lastId) => context.heartbeat({ done, lastId }),
        });
        await recordDelivery(db, {
          key,
          platform: message.platform,
          sessionId,
          chatId: message.chat_id,
          messageId: result.messageId,
          content: { text: message.text, files: (message.files ?? []).map((file) => file.name) },
          attempt: context.info.attempt,
        });
        return result;
      } catch (error) {
        const failure = failureOf(error);
        await audit(db, {
          actor: 'assistant',
          action: failure.nonRetryable ? 'chat.delivery_failed' : 'chat.delivery_retrying',
          targetId: key,
          data: {
            platform: message.platform,
            chatId: message.chat_id,
            error: failure.message,
            attempt: context.info.attempt,
          },
        });
        throw failure;
      }
    },

    async describeRuns({ runIds }) {
      const lines: string[] = [];
      for (const runId of runIds) {
        const run = await getRun(db, runId).catch(() => undefined);
        if (!run) continue;
        const steps = run.steps
          .filter((step) => step.iteration === '')
          .map((step) => `${step.name}: ${step.status}`)
          .join(', ');
        lines.push(`${run.workflow} (${run.id.slice(0, 8)}) ${run.status}${steps ? ` - ${steps}` : ''}`);
      }
      return lines.length > 0 ? lines.join('\n') : 'Nothing is running for this chat.';
    },

    async recordChatDecision({ runId, step, approved, actor }) {
      await audit(db, {
        actor,
        action: approved ? 'approval.approved' : 'approval.rejected',
        targetId: runId,
        data: { step, via: 'chat' },
      });
    },

    async decide(input): Promise<LlmDecision> {
      const inference = deps.services.inference;
      if (!inference)
        throw ApplicationFailure.nonRetryable(
          'No language model in this worker: serve the llm capability (worker.capabilities) to answer free text',
          'llm_unavailable',
        );
      const names = input.workflows.map((workflow) => workflow.name);
      const catalogue = input.workflows
        .map((workflow) => `- ${workflow.name}${workflow.description ? `: ${workflow.description}` : ''}`)
        .join('\n');
      const schema: Record<string, unknown> =
        names.length > 0
          ? {
              type: 'object',
              properties: {
                action: { enum: ['answer', 'run'] },
                workflow: { enum: names },
                answer: { type: 'string' },
              },
              required: ['action', 'answer'],
            }
          : {
              type: 'object',
              properties: { action: { enum: ['answer'] }, answer: { type: 'string' } },
              required: ['action', 'answer'],
            };
      const result = await inference.complete({
        messages: [
          {
            role: 'system',
            content: `You are Pincer, an assistant in a chat. Either answer the user directly, or run one workflow when the user asks for what it does.\nWorkflows:\n${catalogue || '(none)'}\n${input.summary ? `Earlier in this chat: ${input.summary}\n` : ''}Reply with JSON: {"action": "answer", "answer": "..."} or {"action": "run", "workflow": "<name>", "answer": "<one line saying what you start>"}.`,
          },
          ...input.recent.map((entry) => ({ role: entry.role, content: entry.text })),
          { role: 'user', content: input.text },
        ],
        jsonSchema: schema,
        maxTokens: 256,
        temperature: 0,
        seed: 1,
        sessionKey: input.sessionId,
      });
      const value = result.json;
      if (value === null || typeof value !== 'object') return { action: 'answer', answer: result.text };
      const action = 'action' in value && value.action === 'run' ? 'run' : 'answer';
      const workflow = 'workflow' in value && typeof value.workflow === 'string' ? value.workflow : undefined;
      const answer = 'answer' in value && typeof value.answer === 'string' ? value.answer : undefined;
      if (action === 'run' && workflow && names.includes(workflow))
        return { action, workflow, ...(answer ? { answer } : {}) };
      return { action: 'answer', answer: answer ?? result.text };
    },

    async summarize({ summary, messages }) {
      const inference = deps.services.inference;
      const transcript = messages.map((entry) => `${entry.role}: ${entry.text}`).join('\n');
      if (!inference) return `${summary}\n${transcript}`.slice(-2000);
      const result = await inference.complete({
        messages: [
          {
            role: 'system',
            content:
              'Summarize the conversation so far in at most five sentences. Keep names, numbers and decisions.',
          },
          { role: 'user', content: `${summary ? `Summary so far: ${summary}\n` : ''}${transcript}` },
        ],
        maxTokens: 200,
        temperature: 0,
        seed: 1,
      });
      return result.text.trim();
    },
  };
}
