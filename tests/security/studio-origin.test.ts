import { getRun, waitForRun } from '@pincer/engine';
import { runWorkflowId } from '@pincer/workflow/runtime';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/pincer.ts';
import { startTestStudio, type TestStudio } from '../support/studio.ts';
import { signalHandled } from '../support/temporal.ts';

/**
 * What a browser signed in to the studio must be kept from: a page a workflow serves on the
 * studio's own origin (a webhook answer), other sites framing the studio, a sign-in link that sends
 * the owner elsewhere; and the approvers of an approval step, whichever way a decision comes.
 */
let studio: TestStudio;
let owner: Page;

beforeAll(async () => {
  studio = await startTestStudio();
  owner = (await studio.signIn('owner')).page;
}, 240_000);

afterAll(async () => {
  await studio?.stop();
});

const yaml = (text: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/yaml' },
  body: text,
});

/**
 * A page whose script, run as the studio, would mint an owner API token (a synchronous request,
 * done before the page's load event) and report it in the title.
 */
const THIEF = `<!doctype html><title>invoice</title><script>
  var request = new XMLHttpRequest();
  request.open('POST', '/api/trpc/tokens.create', false);
  request.setRequestHeader('content-type', 'application/json');
  request.send(JSON.stringify({ json: { name: 'stolen', role: 'owner' } }));
  document.title = 'stolen ' + request.status;
</script>`;

const PHISHING_HOOK = `
workflow:
  name: invoice_page
  triggers:
    - { type: webhook, name: invoice, method: GET, respond: when_done, timeout: 60s }
  steps:
    - name: page
      type: respond
      headers:
        content-type: text/html; charset=utf-8
        x-invoice: "42"
      body: ${JSON.stringify(THIEF)}
`;

describe('webhook answers (finding 1)', () => {
  it('refuses a respond step that sets a cookie or a security header, naming each', async () => {
    const planted = PHISHING_HOOK.replace(
      '        x-invoice: "42"\n',
      `        x-invoice: "42"
        set-cookie: next-auth.session-token=planted; Path=/; HttpOnly
        Content-Security-Policy: "script-src *"
        access-control-allow-origin: "*"
`,
    );
    const refused = await studio.server.api('/workflows', { ...yaml(planted), as: 'editor' });
    expect(refused.status).toBe(400);
    const { error } = (await refused.json()) as { error: { message: string } };
    for (const header of ['set-cookie', 'Content-Security-Policy', 'access-control-allow-origin'])
      expect(error.message).toContain(`${header} is set by Pincer only`);
    expect(error.message).not.toContain('x-invoice');
  });

  it("never run as the studio: an editor's HTML answer cannot mint an owner token or plant a cookie", async () => {
    const imported = await studio.server.api('/workflows', { ...yaml(PHISHING_HOOK), as: 'editor' });
    expect(imported.status).toBe(201);
    const saved = (await imported.json()) as { triggers: { webhooks: { url: string; secret: string }[] } };
    const hook = saved.triggers.webhooks[0];
    const link = `${studio.server.url}${new URL(hook?.url ?? '').pathname}?secret=${hook?.secret}`;

    const answer = await fetch(link);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('set-cookie')).toBeNull();
    expect(answer.headers.get('x-frame-options')).toBe('DENY');
    // The step's own harmless headers still reach the caller.
    expect(answer.headers.get('x-invoice')).toBe('42');
    expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');

    const tokensBefore = await studio.server.engine.db.apiToken.count();
    const context = owner.context();
    const cookieBefore = (await context.cookies()).find((cookie) => cookie.name.endsWith('session-token'));
    const blocked: string[] = [];
    const page = await context.newPage();
    page.on('console', (message) => blocked.push(message.text()));
    await page.goto(link);
    await expect.poll(() => blocked.join('\n')).toMatch(/Blocked script execution .* sandboxed/);
    expect(await page.title()).toBe('invoice');
    expect(await studio.server.engine.db.apiToken.count()).toBe(tokensBefore);
    const cookieAfter = (await context.cookies()).find((cookie) => cookie.name.endsWith('session-token'));
    expect(cookieAfter?.value).toBe(cookieBefore?.value);
    await page.close();
  }, 180_000);
});

describe('studio pages (findings 9 and 10)', () => {
  it('sends a sign-in link with a foreign callback back to the studio, not elsewhere', async () => {
    const context = await studio.browser.newContext({ baseURL: studio.server.url });
    const page = await context.newPage();
    await page.goto('/signin?callbackUrl=/%5Cevil.example/phish');
    await page.getByLabel('E-mail').fill('owner@api.test');
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 120_000 });
    expect(new URL(page.url()).origin).toBe(studio.server.url);
    expect(new URL(page.url()).pathname).toBe('/workflows');
    await context.close();
  }, 180_000);

  it('may not be framed by another site, loads only its own code, and asks for https behind TLS', async () => {
    const signin = await fetch(`${studio.server.url}/signin`);
    expect(signin.headers.get('x-frame-options')).toBe('DENY');
    const csp = signin.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(signin.headers.get('strict-transport-security')).toBeNull();
    const behindTls = await fetch(`${studio.server.url}/signin`, {
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(behindTls.headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}/);

    // Another origin (a data: page) frames the studio: Chromium refuses to show it.
    const context = await studio.browser.newContext();
    const page = await context.newPage();
    await page.goto(`data:text/html,<iframe src="${studio.server.url}/signin"></iframe>`);
    const frame = await eventually(async () =>
      page.frames().find((candidate) => candidate !== page.mainFrame()),
    );
    await frame.waitForLoadState();
    // The heading is in the page's server-rendered HTML: it would be there at load if shown.
    expect(await frame.getByText('Sign in to Pincer').count()).toBe(0);
    await context.close();
  }, 180_000);
});

const GUARDED = `
workflow:
  name: guarded_payout
  steps:
    - name: ask
      type: approval
      message: Pay out?
      approvers: [owner@api.test]
    - name: pay
      type: transform
      value: paid
`;

describe('approvers (finding 4)', () => {
  it('take decisions only from the named approvers, over REST, the studio and a signal sent directly', async () => {
    const { engine } = studio.server;
    await engine.save(GUARDED);
    const runId = await engine.start('guarded_payout');
    await eventually(async () => {
      const run = await getRun(engine.db, runId);
      return run.steps.some((step) => step.name === 'ask' && step.status === 'waiting_approval') || undefined;
    });

    const rest = await studio.server.api(`/runs/${runId}/approvals/ask`, {
      method: 'POST',
      as: 'editor',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ approved: true }),
    });
    expect(rest.status).toBe(403);
    expect(await rest.text()).toContain(
      'Step \\"ask\\" may only be approved by owner@api.test; editor@api.test is not one of them.',
    );

    const editor = (await studio.signIn('editor')).page;
    const trpc = await editor.request.post('/api/trpc/runs.decide', {
      data: { json: { id: runId, step: 'ask', approved: true } },
    });
    expect(trpc.status()).toBe(403);
    expect(await trpc.text()).toContain('may only be approved by owner@api.test');
    await editor.context().close();

    // A decision that reaches the run some other way (chat, Temporal directly) is ignored by it.
    await signalHandled(engine.client, runWorkflowId(runId), {
      step: 'ask',
      approved: true,
      by: 'user:editor@api.test',
      approver: 'editor@api.test',
    });
    await signalHandled(engine.client, runWorkflowId(runId), {
      step: 'ask',
      approved: true,
      by: 'chat:telegram:7',
    });
    const approved = await studio.server.api(`/runs/${runId}/approvals/ask`, {
      method: 'POST',
      as: 'owner',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ approved: true }),
    });
    expect(approved.status).toBe(202);
    const result = await waitForRun(engine.db, engine.client, runId);
    expect(result.status).toBe('succeeded');
    const run = await getRun(engine.db, runId);
    expect(run.steps.find((step) => step.name === 'ask')?.output).toMatchObject({
      approved: true,
      by: expect.stringContaining('owner@api.test'),
    });
  }, 240_000);
});
