export { closeServer, type HealthState, startHealthServer } from './health-server.ts';
export { onShutdown } from './lifecycle.ts';
export { createLogger, type Logger } from './logger.ts';
