import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ENV_BINDINGS, loadConfig } from '@pincer/config';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from './support/pincer.ts';

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
}

const compose = parse(readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const pincerServices = ['migrate', 'web', 'worker', 'gateway'] as const;
const exampleEnv = readFileSync(path.join(repoRoot, '.env.example'), 'utf8');

/** Docker Compose interpolation of ${VAR}, ${VAR:-default} and ${VAR:?message} with sample values. */
function interpolate(value: string, samples: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, kind?: string, rest?: string) => {
    const sample = samples[name];
    if (sample !== undefined) return sample;
    if (kind === '-') return rest ?? '';
    throw new Error(`${name} has no sample value in this test`);
  });
}

const samples = {
  POSTGRES_PASSWORD: 'pw',
  PINCER_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
  PINCER_ADMIN_EMAIL: 'owner@example.com',
  PINCER_ADMIN_PASSWORD: 'a-long-enough-password',
  PINCER_PUBLIC_URL: 'http://localhost:3000',
};

describe('docker-compose.yml', () => {
  it('has the production-shaped services', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['postgres', 'temporal', 'web', 'worker', 'gateway']),
    );
  });

  it('gives every Pincer service only variables the config knows, including the required ones', () => {
    const known = new Set([...Object.keys(ENV_BINDINGS), 'NODE_ENV']);
    for (const name of pincerServices) {
      const env = compose.services[name]?.environment ?? {};
      expect(
        Object.keys(env).filter((key) => !known.has(key)),
        name,
      ).toEqual([]);
      for (const required of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'PINCER_SECRET_KEY']) {
        expect(env, `${name} needs ${required}`).toHaveProperty(required);
      }
    }
  });

  it('names every variable the operator must set in .env.example', () => {
    const text = readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8');
    const required = new Set([...text.matchAll(/\$\{(\w+):\?/g)].map((match) => match[1]));
    expect(required.size).toBeGreaterThan(0);
    for (const name of required)
      expect(exampleEnv, `${name} in .env.example`).toMatch(new RegExp(`^${name}=`, 'm'));
  });

  it('yields a valid configuration for each Pincer service', () => {
    for (const name of pincerServices) {
      const raw = compose.services[name]?.environment ?? {};
      const env = Object.fromEntries(
        Object.entries(raw).map(([key, value]) => [key, interpolate(String(value), samples)]),
      );
      const config = loadConfig({ cwd: repoRoot, env, file: path.join(repoRoot, 'pincer.example.yaml') });
      expect(new URL(config.database.url ?? '').hostname).toBe('postgres');
      expect(config.temporal.address).toBe('temporal:7233');
      expect(config.worker.healthUrl).toBe('http://worker:3001/health');
      expect(config.gateway.healthUrl).toBe('http://gateway:3002/health');
    }
  });

  it('gives only the worker the container engine, and keeps downloads in a volume', () => {
    const raw = readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8');
    const services = (parse(raw, { merge: true }) as { services: Record<string, { volumes?: string[] }> })
      .services;
    const withSocket = Object.entries(services)
      .filter(([, service]) => (service.volumes ?? []).some((volume) => volume.includes('docker.sock')))
      .map(([name]) => name);
    expect(withSocket).toEqual(['worker']);
    expect(services.worker?.volumes).toContain('cache:/var/lib/pincer/cache');
    expect(compose.services.worker?.environment?.PINCER_CACHE_DIR).toBe('/var/lib/pincer/cache');
  });

  it('runs entry points that exist in this repository', () => {
    for (const name of pincerServices) {
      const command = compose.services[name]?.command ?? [];
      const entry = command.find((part) => /\.(ts|mjs)$/.test(part));
      expect(entry, `${name} command`).toBeDefined();
      expect(existsSync(path.join(repoRoot, entry ?? '')), `${entry} exists`).toBe(true);
      expect(compose.services[name]?.build).toBe('.');
    }
    expect(existsSync(path.join(repoRoot, 'Dockerfile'))).toBe(true);
  });
});

describe('docs/configuration.md', () => {
  it('documents every environment variable the config reads', () => {
    const doc = readFileSync(path.join(repoRoot, 'docs', 'configuration.md'), 'utf8');
    const missing = Object.keys(ENV_BINDINGS).filter((name) => !doc.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});
