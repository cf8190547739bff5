import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '@pincer/provision';
import { describe, expect, it } from 'vitest';
import { isolatedInstall, Job } from '../support/pincer.ts';

const cli = 'apps/cli/bin/pincer.mjs';

async function startWith(
  extraEnv: NodeJS.ProcessEnv,
): Promise<{ code: number | string | null; output: string }> {
  const install = await isolatedInstall();
  const job = new Job(process.execPath, [cli, 'start'], { ...install.env, ...extraEnv });
  const code = await job.exit;
  return { code, output: job.output.trim() };
}

function errorLines(output: string): string[] {
  return output.split('\n').filter((line) => line.startsWith('pincer:'));
}

describe('pincer start refuses bad configuration with one clear line', () => {
  it('names an unknown key in pincer.yaml', async () => {
    const install = await isolatedInstall();
    const file = path.join(path.dirname(install.dataDir), 'pincer.yaml');
    writeFileSync(file, 'server:\n  port: 3000\ndatabse:\n  url: postgres://x\n');
    const job = new Job(process.execPath, [cli, 'start'], { ...install.env, PINCER_CONFIG: file });
    expect(await job.exit).toBe(1);
    const lines = errorLines(job.output);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('unknown key "databse"');
    expect(lines[0]).toContain('did you mean "database"');
  });

  it('names the variable holding a wrong type', async () => {
    const { code, output } = await startWith({ PINCER_PORT: 'eighty' });
    expect(code).toBe(1);
    expect(errorLines(output)).toEqual([
      expect.stringContaining('PINCER_PORT="eighty" is not a port number'),
    ]);
  });

  it('names an unreachable DATABASE_URL and the fix, without its password', async () => {
    const deadPort = await freePort();
    const { code, output } = await startWith({
      DATABASE_URL: `postgresql://pincer:s3cret-pw@127.0.0.1:${deadPort}/pincer`,
    });
    expect(code).toBe(1);
    const lines = errorLines(output);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`DATABASE_URL (127.0.0.1:${deadPort}/pincer) is unreachable`);
    expect(lines[0]).toContain('unset DATABASE_URL to use the embedded database');
    expect(output).not.toContain('s3cret-pw');
  });
});
