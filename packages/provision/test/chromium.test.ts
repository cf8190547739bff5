import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumStep, findChromium } from '../src/index.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pincer-chromium-'));
  await writeFile(path.join(dir, 'chromium'), '#!/bin/sh\n');
  await chmod(path.join(dir, 'chromium'), 0o755);
  await writeFile(path.join(dir, 'google-chrome'), 'not executable');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('findChromium', () => {
  it('takes browser.executablePath first, then an executable chromium on PATH', () => {
    expect(findChromium({ executablePath: '/opt/my/chrome', searchPath: dir })).toBe('/opt/my/chrome');
    expect(findChromium({ searchPath: dir })).toBe(path.join(dir, 'chromium'));
  });

  it('reports a configured path that is not an executable, with the fix', async () => {
    const status = await chromiumStep({ executablePath: path.join(dir, 'google-chrome') }).check();
    expect(status.state).toBe('unavailable');
    expect(status.detail).toContain('is not an executable file');
    expect(status.fix).toContain('browser.executablePath');
  });

  it('is ready without installing anything when one is found', async () => {
    const step = chromiumStep({ searchPath: dir });
    expect(await step.check()).toEqual({ state: 'ready', detail: path.join(dir, 'chromium') });
    expect(await step.ensure(() => undefined)).toEqual({
      state: 'ready',
      detail: path.join(dir, 'chromium'),
    });
  });
});
