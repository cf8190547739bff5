export { describeUrl, NetworkPolicy, type Refusal } from './network.ts';
export { GuardProxy } from './proxy.ts';
export {
  BrowserPool,
  type BrowserPoolOptions,
  type BrowserServiceOptions,
  createBrowserService,
  type RunningBrowserService,
} from './service.ts';
export {
  AutomationSession,
  CHROMIUM_ARGS,
  type FailureEvidence,
  launchChromium,
  normalizeSelector,
  type SessionFile,
  type SessionOptions,
} from './session.ts';
