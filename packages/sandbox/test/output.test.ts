import { describe, expect, it } from 'vitest';
import { parseEgressEntry } from '../src/egress.ts';
import { CappedOutput } from '../src/output.ts';

describe('CappedOutput', () => {
  it('keeps everything under the limit, unmarked', () => {
    const output = new CappedOutput(10);
    output.write(Buffer.from('hello'));
    expect(output.text()).toBe('hello');
    expect(output.truncated).toBe(false);
  });

  it('keeps the first bytes over the limit and says how many were dropped', () => {
    const output = new CappedOutput(4);
    output.write(Buffer.from('abc'));
    output.write(Buffer.from('defgh'));
    expect(output.truncated).toBe(true);
    expect(output.totalBytes).toBe(8);
    expect(output.text()).toBe('abcd\n[pincer: output truncated after 4 bytes; 4 more bytes dropped]\n');
  });
});

describe('network allow-list entries', () => {
  it('reads host, host:port and wildcard entries', () => {
    expect(parseEgressEntry('api.github.com')).toEqual({ host: 'api.github.com', ports: [80, 443] });
    expect(parseEgressEntry('Example.com:8443')).toEqual({ host: 'example.com', ports: [8443] });
    expect(parseEgressEntry('*.example.com')).toEqual({ host: '*.example.com', ports: [80, 443] });
  });

  it('refuses URLs, paths and impossible ports', () => {
    expect(parseEgressEntry('https://api.github.com')).toBeUndefined();
    expect(parseEgressEntry('api.github.com/path')).toBeUndefined();
    expect(parseEgressEntry('host:70000')).toBeUndefined();
  });
});
