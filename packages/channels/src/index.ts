export {
  type AdapterHealth,
  type AdapterState,
  backoffMs,
  ChannelError,
  type ChannelReceiver,
  type ChannelSender,
  classifyHttpFailure,
  type HttpFailure,
  type InboundSink,
  Reconnector,
  type ResolvedFile,
  type SendProgress,
  type WebhookRoute,
} from './adapter.ts';
export {
  DISCORD_INTENTS,
  DiscordReceiver,
  DiscordSender,
  discordError,
  normalizeDiscordDispatch,
} from './discord.ts';
export {
  EmailReceiver,
  EmailSender,
  HANDLED_KEYWORD,
  normalizeEmail,
  ownWords,
  replySubject,
  smtpError,
} from './email.ts';
export {
  type AdapterLog,
  accessSettingsOf,
  type ChannelsConfig,
  receiversFromConfig,
  sendersFromConfig,
} from './from-config.ts';
export * from './message.ts';
export { createMessaging } from './messaging.ts';
export {
  normalizeSlackAction,
  normalizeSlackCommand,
  normalizeSlackEvent,
  SLACK_EVENTS_PATH,
  SlackReceiver,
  SlackSender,
  slackError,
  verifySlackSignature,
} from './slack.ts';
export { normalizeTelegramUpdate, TelegramReceiver, TelegramSender, telegramError } from './telegram.ts';
export { splitText } from './text.ts';
export { startWebhookServer } from './webhook-server.ts';
