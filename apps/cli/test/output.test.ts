import { describe, expect, it } from 'vitest';
import { renderLogLine } from '../src/output.ts';

describe('renderLogLine', () => {
  it('renders a pino event as level, message and fields', () => {
    const line = JSON.stringify({
      level: 30,
      time: 't',
      pid: 1,
      process: 'web',
      msg: 'listening',
      url: 'http://x',
    });
    expect(renderLogLine(line)).toBe('INFO  listening url=http://x');
  });

  it('renders Temporal server events and passes other lines through', () => {
    expect(renderLogLine('{"level":"ERROR","msg":"boom","service":"frontend"}')).toBe(
      'ERROR boom service=frontend',
    );
    expect(renderLogLine('plain text')).toBe('plain text');
    expect(renderLogLine('{not json')).toBe('{not json');
  });
});
