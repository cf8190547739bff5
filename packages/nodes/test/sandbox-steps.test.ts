import { describe, expect, it } from 'vitest';
import { NodeError, python, shell } from '../src/index.ts';
import { runNode, testContext } from './context.ts';

describe('shell and python step configs', () => {
  it('say what is wrong with a network entry, an input file name or a mount', () => {
    const bad = shell.config.safeParse({
      command: 'true',
      network: ['https://api.github.com'],
      files: { '../etc/passwd': 'x' },
      mounts: ['var/log'],
    });
    expect(bad.success).toBe(false);
    const messages = bad.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'network.0: expected host, host:port or *.domain[:port]',
        'files.../etc/passwd: expected a relative path inside /in such as data.csv or reports/today.csv',
        'mounts.0: expected an absolute host path such as /var/log',
      ]),
    );
  });

  it('fail with a fix when no sandbox runs in this worker', async () => {
    const failure = await runNode(python, { script: 'print(1)' }, testContext()).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(NodeError);
    expect(failure).toMatchObject({ code: 'sandbox_unavailable', retryable: false });
    expect((failure as NodeError).message).toContain('worker.capabilities');
  });
});
