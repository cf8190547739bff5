import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { launchChromium } from '@pincer/browser';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Issue 13, finding 7: the worker's Chromium runs with its own sandbox, as an unprivileged user
 * when Pincer is root, and without the worker's environment (database URL, credentials key).
 */
const SECRET_ENV = 'postgresql://pincer:worker-secret-4d2c@127.0.0.1/pincer';
let browser: Browser;
let previous: string | undefined;

beforeAll(async () => {
  previous = process.env.DATABASE_URL;
  process.env.DATABASE_URL = SECRET_ENV;
  browser = await launchChromium();
  const page = await browser.newPage();
  await page.setContent('<p>renderer</p>');
});

afterAll(async () => {
  await browser?.close();
  if (previous === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = previous;
});

interface Proc {
  pid: number;
  ppid: number;
  uid: number;
  seccomp: number;
  cmdline: string;
}

function processes(): Proc[] {
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
      return [
        {
          pid: Number(entry),
          ppid: field('PPid'),
          uid: field('Uid'),
          seccomp: field('Seccomp'),
          cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' '),
        },
      ];
    } catch {
      return [];
    }
  });
}

/** Chromium's browser process (started by this test process) and every process below it. */
function chromiumTree(): { main: Proc; all: Proc[] } {
  const all = processes();
  const main = all.find((proc) => proc.ppid === process.pid && /chrom/.test(proc.cmdline));
  if (!main) throw new Error('no Chromium child of this process');
  const tree = [main];
  for (let index = 0; index < tree.length; index++) {
    const parent = tree[index];
    for (const proc of all) if (parent && proc.ppid === parent.pid) tree.push(proc);
  }
  return { main, all: tree };
}

describe("the worker's Chromium", () => {
  it('runs with its sandbox: no --no-sandbox, renderers under seccomp in a namespace of their own', () => {
    const { main, all } = chromiumTree();
    expect(main.cmdline).not.toContain('--no-sandbox');
    const renderers = all.filter((proc) => proc.cmdline.includes('--type=renderer'));
    expect(renderers.length).toBeGreaterThan(0);
    const ownUserNamespace = readlinkSync('/proc/self/ns/user');
    for (const renderer of renderers) {
      expect(renderer.seccomp).toBe(2);
      expect(readlinkSync(`/proc/${renderer.pid}/ns/user`)).not.toBe(ownUserNamespace);
    }
  });

  it('runs as an unprivileged user when Pincer is root', () => {
    const { all } = chromiumTree();
    const expected = process.getuid?.() === 0 ? expect.not.stringMatching(/^0$/) : String(process.getuid?.());
    for (const proc of all) expect(String(proc.uid)).toEqual(expected);
  });

  it("does not get the worker's environment", () => {
    const { main } = chromiumTree();
    const environ = readFileSync(`/proc/${main.pid}/environ`, 'utf8');
    expect(environ).not.toContain(SECRET_ENV);
    expect(environ).not.toContain('DATABASE_URL');
  });
});
