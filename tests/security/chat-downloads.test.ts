import type { IncomingHttpHeaders } from 'node:http';
import { ChannelError, SlackSender } from '@pincer/channels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../peers/http.ts';

const TOKEN = 'xoxb-secret-bot-token';

/**
 * Fetching files people send: the URL comes from chat content, so the bot token goes only to the
 * platform's own hosts, a redirect never reaches a private address, and the size cap holds even
 * when the server does not say how big the file is.
 */
describe('chat file downloads', () => {
  const seen: { path: string; headers: IncomingHttpHeaders }[] = [];
  let platform: Awaited<ReturnType<typeof listen>>;
  let elsewhere: Awaited<ReturnType<typeof listen>>;
  let slack: SlackSender;

  beforeAll(async () => {
    elsewhere = await listen((request, response) => {
      seen.push({ path: `elsewhere${request.url}`, headers: request.headers });
      response.end('internal secrets');
    });
    platform = await listen((request, response) => {
      seen.push({ path: request.url ?? '', headers: request.headers });
      if (request.url === '/files-pri/redirect')
        response.writeHead(302, { location: `http://localhost:${elsewhere.port}/metadata` }).end();
      else if (request.url === '/files-pri/endless') {
        // No Content-Length: the cap must hold while the bytes stream in.
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(16 * 1024, 1);
        for (let index = 0; index < 8; index++) response.write(chunk);
        response.end();
      } else response.writeHead(404).end();
    });
    slack = new SlackSender({ botToken: TOKEN, apiUrl: `http://127.0.0.1:${platform.port}/api/` });
  });

  afterAll(async () => {
    await platform?.close();
    await elsewhere?.close();
  });

  const failureOf = async (url: string, maxBytes = 1024 * 1024) => {
    const error = await slack.fetchAttachment({ type: 'document', url, name: 'file.bin' }, maxBytes).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ChannelError);
    return error as ChannelError;
  };

  it('sends the token to no host but the platform, and follows no redirect to a private address', async () => {
    const foreign = await failureOf(`http://localhost:${elsewhere.port}/steal`);
    expect(foreign.code).toBe('rejected');
    expect(foreign.message).toMatch(/not on slack's file hosts/);

    const redirected = await failureOf(`http://127.0.0.1:${platform.port}/files-pri/redirect`);
    expect(redirected.code).toBe('rejected');
    expect(redirected.message).toMatch(/redirected to localhost, a loopback address: refused/);
    expect(seen.filter((request) => request.path.startsWith('elsewhere'))).toEqual([]);
    expect(seen.find((request) => request.path === '/files-pri/redirect')?.headers.authorization).toBe(
      `Bearer ${TOKEN}`,
    );
  });

  it('stops a download at the cap although the server never said the size', async () => {
    const failure = await failureOf(`http://127.0.0.1:${platform.port}/files-pri/endless`, 64 * 1024);
    expect(failure.code).toBe('too_large');
    expect(failure.retryable).toBe(false);
    expect(failure.message).toMatch(
      /"file\.bin" is bigger than 0\.1 MB; files sent by slack may have at most 0\.1 MB/,
    );
  });
});
