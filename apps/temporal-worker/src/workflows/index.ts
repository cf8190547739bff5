/**
 * Workflow code: deterministic only (no I/O, no clock, no randomness); Temporal's sandbox enforces
 * it. Side effects live in ../activities.
 */

export { type ConversationInput, type ConversationState, conversation } from './conversation.ts';
export { forEachLoop } from './for-each-loop.ts';
export { interpretPlan } from './interpreter.ts';
export { type SelfTestResult, selfTest } from './self-test.ts';
