import { describe, expect, it } from 'vitest';
import { isolatedInstall, Job } from '../support/pincer.ts';

describe('pincer doctor', () => {
  it('on a fresh install says what is missing and the exact fix for each', async () => {
    const install = await isolatedInstall();
    const job = new Job(process.execPath, ['apps/cli/bin/pincer.mjs', 'doctor'], install.env);
    expect(await job.exit).toBe(0);
    const out = job.output;
    expect(out).toContain('✗ PostgreSQL (embedded): no database cluster yet');
    expect(out).toContain('fix: run `npm start` to create it');
    expect(out).toMatch(/✓ Temporal CLI: \S+temporal/);
    for (const capability of ['Local LLM model', 'Sandbox container engine', 'Chromium']) {
      expect(out).toContain(capability);
    }
    expect(out).toMatch(/✗ Chromium: no Chromium found\n\s+fix: apt-get install -y chromium|✓ Chromium: \//);
    expect(out).toContain(`✗ Pincer is not running at http://127.0.0.1:${install.port}`);
    expect(out).toContain('fix: npm start');
  });

  it('fails and says how to fix an unreachable external database', async () => {
    const install = await isolatedInstall();
    const job = new Job(process.execPath, ['apps/cli/bin/pincer.mjs', 'doctor'], {
      ...install.env,
      DATABASE_URL: 'postgresql://u:topsecret@127.0.0.1:1/pincer',
    });
    expect(await job.exit).toBe(1);
    expect(job.output).toContain(
      '✗ PostgreSQL (DATABASE_URL): DATABASE_URL (127.0.0.1:1/pincer) is unreachable',
    );
    expect(job.output).toContain('fix: start that PostgreSQL server or correct DATABASE_URL');
    expect(job.output).not.toContain('topsecret');
  });
});
