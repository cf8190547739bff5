import http from 'node:http';
import { isPortOpen } from '@pincer/provision';
import { Connection } from '@temporalio/client';

export interface HttpAnswer {
  status: number;
  body: string;
}

/**
 * GET on a fresh connection that is closed afterwards (no keep-alive agent), so the benchmark
 * holds no idle socket that would make a server's graceful close wait.
 */
export function httpGet(url: string, timeoutMs = 5000): Promise<HttpAnswer | null> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false, timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', () => resolve(null));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(null));
  });
}

function statusIsOk(body: string): boolean {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && 'status' in parsed && parsed.status === 'ok';
  } catch {
    return false;
  }
}

/** /api/health answers 200 with `"status": "ok"`. */
export async function apiHealthIsOk(url: string): Promise<boolean> {
  const answer = await httpGet(url);
  return answer?.status === 200 && statusIsOk(answer.body);
}

/** Anything answers HTTP at `url` (the process is listening), whatever the status. */
export async function answersHttp(url: string): Promise<boolean> {
  return (await httpGet(url)) !== null;
}

export async function answers200(url: string): Promise<boolean> {
  return (await httpGet(url))?.status === 200;
}

/**
 * The Temporal frontend answers describeNamespace("default"). A gRPC connect to a port nobody
 * listens on blocks for its whole connectTimeout, so the port is checked with a plain TCP
 * connect first: otherwise the probe itself would round readiness up to the next second.
 */
export async function temporalAnswers(port: number): Promise<boolean> {
  if (!(await isPortOpen('127.0.0.1', port, 200))) return false;
  const connection = await Connection.connect({ address: `127.0.0.1:${port}`, connectTimeout: 1000 });
  try {
    await connection.withDeadline(Date.now() + 1000, () =>
      connection.workflowService.describeNamespace({ namespace: 'default' }),
    );
    return true;
  } finally {
    await connection.close().catch(() => undefined);
  }
}
