/** The activities the conversation workflow calls; workflow code imports these types only. */
import type { Attachment, InboundMessage, Sender } from '@pincer/channels';
import type { ChatDelivery } from '@pincer/nodes';
import type { RunInput } from '@pincer/workflow/runtime';

export type ChatAccess = 'owner' | 'allowed' | 'pending';

export interface AdmitResult {
  access: ChatAccess;
  /** For a sender waiting for an owner: the code to give the owner. */
  pairingCode?: string;
  /** True the first time the sender wrote. */
  firstContact?: boolean;
  /** The pairing was rejected: stay silent after telling them once. */
  rejected?: boolean;
}

export interface ChatWorkflow {
  name: string;
  description?: string;
  /** Step types with side effects (shell, http_request, message, ...). */
  sideEffects: string[];
  /** Allow-listed for chat in pincer.yaml (channels.workflows). */
  allowListed: boolean;
}

export type PreparedChatRun =
  | { kind: 'start'; run: RunInput }
  | { kind: 'needs_approval'; reason: string }
  | { kind: 'refused'; message: string };

export interface StoredAttachments {
  /** The message's files as stored: each with a Pincer URL. */
  attachments: Attachment[];
  /** Files not kept (too large, gone from the platform), with why, to tell the sender. */
  refused: { name: string; reason: string; tooLarge: boolean }[];
}

export interface LlmDecision {
  action: 'answer' | 'run';
  answer?: string;
  workflow?: string;
}

export interface ChatActivities {
  /** Records the message (and its conversation) and says whether its sender may talk. */
  admit(input: { message: InboundMessage }): Promise<AdmitResult>;
  accessOf(input: { sender: Sender; chatId: string }): Promise<ChatAccess>;
  /**
   * Copies the message's files from the platform into the artifact store, up to
   * channels.maxAttachmentBytes each (on the messaging queue, where the platforms' tokens are).
   */
  storeAttachments(input: { message: InboundMessage }): Promise<StoredAttachments>;
  chatWorkflows(): Promise<ChatWorkflow[]>;
  /** Checks the sender may run it now and creates the Run row (trigger: chat). */
  prepareChatRun(input: {
    workflow: string;
    input: unknown;
    sender: Sender;
    access: ChatAccess;
    /** The owner who approved a run that needed it. */
    approvedBy?: string;
  }): Promise<PreparedChatRun>;
  /** The outbox: sends one message once (by `key`), retried with the platform's rate limits. */
  deliver(input: { key: string; sessionId: string; message: ChatDelivery }): Promise<{ messageId: string }>;
  describeRuns(input: { runIds: string[] }): Promise<string>;
  recordChatDecision(input: { runId: string; step: string; approved: boolean; actor: string }): Promise<void>;
  /** The LLM's choice: answer directly or run one of `workflows` (on the llm queue). */
  decide(input: {
    text: string;
    recent: { role: 'user' | 'assistant'; text: string }[];
    summary: string;
    workflows: ChatWorkflow[];
    sessionId: string;
  }): Promise<LlmDecision>;
  /** Folds older messages into the running summary (on the llm queue). */
  summarize(input: {
    summary: string;
    messages: { role: 'user' | 'assistant'; text: string }[];
  }): Promise<string>;
}
