import { ConfigError, PINCER_VERSION, type PincerConfig } from '@pincer/config';
import { checkHealth, type HealthReport } from '@pincer/provision';
import { connection } from 'next/server';
import { getConfig } from './config.ts';

/**
 * The dependency report for this request (never prerendered or cached). A broken config is itself
 * a "down" dependency, so callers always get a report to show.
 */
export async function readHealth(): Promise<HealthReport> {
  await connection();
  let config: PincerConfig;
  try {
    config = getConfig();
  } catch (error) {
    if (error instanceof ConfigError) return configDownReport(error);
    throw error;
  }
  return checkHealth(config);
}

export function httpStatusOf(report: HealthReport): 200 | 503 {
  return report.status === 'down' ? 503 : 200;
}

function configDownReport(error: ConfigError): HealthReport {
  return {
    status: 'down',
    version: PINCER_VERSION,
    checkedAt: new Date().toISOString(),
    checks: [{ name: 'config', status: 'down', detail: `${error.code}: ${error.message}` }],
  };
}
