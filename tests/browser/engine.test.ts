import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createBrowserService, type RunningBrowserService } from '@pincer/browser';
import { type RunView, setCredential } from '@pincer/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine.ts';
import { PASSWORD, startTestSite, type TestSite } from './site.ts';

// The real engine (database, Temporal, workers) with a browser service whose Chromium starts
// once for the file; pages come from a site this test serves on 127.0.0.1.
let engine: TestEngine;
let browser: RunningBrowserService;
let site: TestSite;

beforeAll(async () => {
  site = await startTestSite();
  browser = await createBrowserService({ size: 1, maxConcurrent: 2, warm: true, retries: 1 });
  engine = await startTestEngine({
    allowPrivateHosts: ['127.0.0.1'],
    services: { browser: browser.service },
  });
});

afterAll(async () => {
  await engine?.stop();
  await browser?.close();
  await site?.close();
});

function step(run: RunView, name: string) {
  const found = run.steps.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`run has no step ${name}: ${JSON.stringify(run.steps.map((s) => s.name))}`);
  return found;
}

describe('the browser step', () => {
  it('runs the login example: fills the form, waits for the dashboard, keeps a screenshot with the run', async () => {
    await setCredential(engine.db, engine.secretKey, {
      name: 'dashboard_password',
      value: PASSWORD,
      actor: 'test',
    });
    const example = path.resolve(import.meta.dirname, '../../examples/workflows/browser-login.yaml');
    await engine.save(readFileSync(example, 'utf8'));
    const run = await engine.run('dashboard_snapshot', { base_url: site.base, username: 'ada' });
    expect(run.status, JSON.stringify(run.steps.map((s) => s.error))).toBe('succeeded');
    const snapshot = step(run, 'snapshot');
    expect(snapshot.output).toMatchObject({ data: { open_orders: '42' }, title: 'Dashboard' });
    expect(step(run, 'report').output).toBe('Open orders: 42');
    expect(run.artifacts).toEqual([
      expect.objectContaining({ step: 'snapshot', name: 'dashboard.png', mediaType: 'image/png' }),
    ]);
    expect(run.artifacts[0]?.size).toBeGreaterThan(1000);
    expect(run.artifacts[0]?.url).toBe(`/api/v1/runs/${run.id}/artifacts/${run.artifacts[0]?.id}`);
    // The password reached the page, never the step's record.
    expect(JSON.stringify(snapshot.input)).not.toContain(PASSWORD);
    expect(JSON.stringify(snapshot.input)).toContain('secrets.dashboard_password');
  });

  it('fails a missing selector with the action and selector, and keeps a screenshot and the page HTML', async () => {
    await engine.save(`
workflow:
  name: missing_selector
  steps:
    - name: open
      type: browser
      actions:
        - { action: navigate, url: "${site.base}/login" }
        - { action: click, selector: "#no-such-button", timeout_ms: 500, retries: 0 }
`);
    const run = await engine.run('missing_selector');
    expect(run.status).toBe('failed');
    const open = step(run, 'open');
    expect(open.status).toBe('failed');
    const error = open.error as { message: string; type: string };
    expect(error.type).toBe('browser_timeout');
    expect(error.message).toContain('action 2 (click "#no-such-button")');
    expect(error.message).toContain('failure-screenshot.png');
    // One attempt: the action already retried as told, the step does not run it again.
    expect(open.attempts).toBe(1);
    expect(run.artifacts.map((artifact) => [artifact.step, artifact.name, artifact.mediaType])).toEqual([
      ['open', 'failure-screenshot.png', 'image/png'],
      ['open', 'failure-page.html', 'text/html'],
    ]);
  });

  it('refuses a private address that is not allow-listed', async () => {
    const port = new URL(site.base).port;
    await engine.save(`
workflow:
  name: private_address
  steps:
    - name: open
      type: browser
      actions:
        - { action: navigate, url: "http://127.0.0.2:${port}/login" }
`);
    const run = await engine.run('private_address');
    expect(run.status).toBe('failed');
    const error = step(run, 'open').error as { message: string; type: string };
    expect(error.type).toBe('browser_private_address');
    expect(error.message).toContain('127.0.0.2 is a loopback address');
  });

  it('starts from a browser-profile credential, the only way cookies get in', async () => {
    const profile = {
      cookies: [
        {
          name: 'sid',
          value: 'from-profile',
          domain: '127.0.0.1',
          path: '/',
          expires: -1,
          httpOnly: true,
          secure: false,
          sameSite: 'Lax',
        },
      ],
      origins: [],
    };
    await setCredential(engine.db, engine.secretKey, {
      name: 'shop_profile',
      value: JSON.stringify(profile),
      type: 'browser_profile',
      actor: 'test',
    });
    await engine.save(`
workflow:
  name: with_profile
  steps:
    - name: with_cookie
      type: browser
      profile: shop_profile
      actions:
        - { action: navigate, url: "${site.base}/whoami" }
        - { action: extract_text, selector: "#cookie", as: cookie }
    - name: without
      type: browser
      actions:
        - { action: navigate, url: "${site.base}/whoami" }
        - { action: extract_text, selector: "#cookie", as: cookie }
`);
    const run = await engine.run('with_profile');
    expect(run.status).toBe('succeeded');
    expect(step(run, 'with_cookie').output).toMatchObject({ data: { cookie: 'sid=from-profile' } });
    expect(step(run, 'without').output).toMatchObject({ data: { cookie: 'none' } });
  });

  it('rejects an unknown action when the workflow is saved, saying what is allowed', async () => {
    await expect(
      engine.save(`
workflow:
  name: bad_action
  steps:
    - name: open
      type: browser
      actions:
        - { action: teleport, url: "https://example.com" }
`),
    ).rejects.toThrow(/actions\.0\.action.*navigate/);
  });
});
