import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '@pincer/config';
import { describe, expect, it } from 'vitest';

function withYaml(yaml: string | null): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pincer-config-'));
  if (yaml !== null) writeFileSync(path.join(dir, 'pincer.yaml'), yaml);
  return dir;
}

function failure(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the embedded defaults when there is no pincer.yaml and no env', () => {
    const cwd = withYaml(null);
    const config = loadConfig({ cwd, env: {} });
    expect(config.configFile).toBeNull();
    expect(config.dataDir).toBe(path.join(cwd, '.pincer'));
    expect(config.cacheDir).toBe(path.join(cwd, '.pincer', 'cache'));
    expect(config.database.url).toBeUndefined();
    expect(config.temporal.address).toBeUndefined();
    expect(config.server.publicUrl).toBe('http://127.0.0.1:3000');
  });

  it('reads pincer.yaml and lets the environment override it', () => {
    const cwd = withYaml('server:\n  port: 4000\ndataDir: state\ntemporal:\n  namespace: prod\n');
    const config = loadConfig({
      cwd,
      env: { PINCER_PORT: '4100', DATABASE_URL: 'postgres://pincer:pw@db:5432/pincer' },
    });
    expect(config.server.port).toBe(4100);
    expect(config.dataDir).toBe(path.join(cwd, 'state'));
    expect(config.temporal.namespace).toBe('prod');
    expect(config.database.url).toBe('postgres://pincer:pw@db:5432/pincer');
  });

  it('names an unknown key, suggests the right one and lists the known ones', () => {
    const error = failure(() => loadConfig({ cwd: withYaml('databse:\n  url: x\n'), env: {} }));
    expect(error.code).toBe('config_unknown_key');
    expect(error.message).toContain('unknown key "databse"');
    expect(error.message).toContain('did you mean "database"');
    expect(error.message).not.toContain('\n');
  });

  it('names a nested unknown key with its path', () => {
    const error = failure(() => loadConfig({ cwd: withYaml('server:\n  prot: 1\n'), env: {} }));
    expect(error.message).toContain('"server.prot"');
    expect(error.message).toContain('known keys here: host, port, publicUrl');
  });

  it('names the key and the expected type for a wrong type', () => {
    const error = failure(() => loadConfig({ cwd: withYaml('server:\n  port: "abc"\n'), env: {} }));
    expect(error.code).toBe('config_invalid_value');
    expect(error.message).toMatch(/server\.port: .*expected number/);
  });

  it('names the environment variable when the bad value came from there', () => {
    const port = failure(() => loadConfig({ cwd: withYaml(null), env: { PINCER_PORT: 'abc' } }));
    expect(port.message).toContain('PINCER_PORT="abc" is not a port number');
    const url = failure(() =>
      loadConfig({ cwd: withYaml(null), env: { DATABASE_URL: 'mysql://root:hunter2@db/x' } }),
    );
    expect(url.message).toContain('DATABASE_URL');
    expect(url.message).toContain('postgres://');
    expect(url.message).not.toContain('hunter2');
  });

  it('refuses an unknown PINCER_ variable instead of ignoring a typo', () => {
    const error = failure(() => loadConfig({ cwd: withYaml(null), env: { PINCER_PROT: '3000' } }));
    expect(error.code).toBe('config_unknown_env');
    expect(error.message).toContain('did you mean PINCER_PORT');
  });

  it('reads the S3 artifact store from the environment and says what it lacks', () => {
    const env = {
      PINCER_ARTIFACTS_STORE: 's3',
      PINCER_S3_BUCKET: 'files',
      PINCER_S3_FORCE_PATH_STYLE: 'false',
    };
    const config = loadConfig({ cwd: withYaml(null), env });
    expect(config.artifacts).toMatchObject({ store: 's3', s3: { bucket: 'files', forcePathStyle: false } });

    const flag = failure(() =>
      loadConfig({ cwd: withYaml(null), env: { ...env, PINCER_S3_FORCE_PATH_STYLE: 'yes' } }),
    );
    expect(flag.message).toContain(
      'PINCER_S3_FORCE_PATH_STYLE="yes" is not a boolean: set it to true or false',
    );
    const bucket = failure(() => loadConfig({ cwd: withYaml(null), env: { PINCER_ARTIFACTS_STORE: 's3' } }));
    expect(bucket.message).toContain('store s3 needs s3.bucket (PINCER_S3_BUCKET)');
    const half = failure(() =>
      loadConfig({ cwd: withYaml(null), env: { ...env, PINCER_S3_ACCESS_KEY_ID: 'key' } }),
    );
    expect(half.message).toContain('set both s3.accessKeyId and s3.secretAccessKey, or neither');
  });

  it('reports broken YAML with its line', () => {
    const error = failure(() => loadConfig({ cwd: withYaml('server:\n  port: [1,\n'), env: {} }));
    expect(error.code).toBe('config_not_yaml');
    expect(error.message).toMatch(/line \d+/);
  });

  it('fails clearly when PINCER_CONFIG names a missing file', () => {
    const error = failure(() => loadConfig({ cwd: withYaml(null), env: { PINCER_CONFIG: 'nope.yaml' } }));
    expect(error.code).toBe('config_unreadable');
    expect(error.message).toContain('nope.yaml does not exist');
  });
});
