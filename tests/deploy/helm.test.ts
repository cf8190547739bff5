import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ENV_BINDINGS, loadConfig } from '@pincer/config';
import {
  consoleReporter,
  helmBinary,
  helmStep,
  KUBERNETES_VALIDATE_VERSION,
  kubernetesValidateBinary,
  kubernetesValidateStep,
  provision,
} from '@pincer/provision';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { renderManifests } from '../../scripts/render-manifests.ts';
import { repoRoot } from '../support/pincer.ts';

const run = promisify(execFile);
const chart = path.join(repoRoot, 'deploy/helm/pincer');
/** The Kubernetes release the rendered objects are checked against (the oldest the chart allows is older). */
const KUBERNETES = '1.33.0';

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
}
interface Container {
  name: string;
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: { httpGet?: { path: string } };
}

// The checkout's cache (.pincer/cache), like `npm start` and the render script use.
const { cacheDir } = loadConfig({ cwd: repoRoot, env: {} });
let helm: string;
let scratch: string;
let objects: K8sObject[];

const byKind = (kind: string) => objects.filter((object) => object.kind === kind);
const named = (kind: string, suffix: string) =>
  byKind(kind).find((object) => object.metadata.name.endsWith(suffix));
const containersOf = (object: K8sObject | undefined): Container[] =>
  (object?.spec?.template as { spec: { containers: Container[] } } | undefined)?.spec.containers ?? [];

beforeAll(async () => {
  // Helm is built from the Go module proxy once (minutes on a fresh clone), then cached like the other tools.
  await provision([helmStep({ cacheDir }), kubernetesValidateStep({ cacheDir })], consoleReporter());
  helm = helmBinary(cacheDir);
  scratch = await mkdtemp(path.join(tmpdir(), 'pincer-helm-'));
  const rendered = await renderManifests(helm);
  objects = rendered.map((document) => document as K8sObject);
}, 40 * 60_000);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('the Helm chart deploy/helm/pincer', () => {
  it('passes helm lint --strict', async () => {
    const { stdout } = await run(helm, ['lint', '--strict', chart]);
    expect(stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('renders only objects valid against the Kubernetes schemas', async () => {
    const files: string[] = [];
    for (const [index, object] of objects.entries()) {
      const file = path.join(scratch, `${index}-${object.kind}.yaml`);
      await writeFile(file, JSON.stringify(object));
      files.push(file);
    }
    const validator = kubernetesValidateBinary(cacheDir, KUBERNETES_VALIDATE_VERSION);
    const result = await run(validator, ['--strict', '-k', KUBERNETES, ...files]).catch(
      (error: { stdout: string; stderr: string }) => error,
    );
    const report = `${result.stdout}${result.stderr}`;
    expect(report).not.toMatch(/ERROR|did not validate/);
    expect(report.match(/passed for resource/g)).toHaveLength(objects.length);
  });

  it('runs the web with a readiness probe on /api/health and scales it with an HPA', () => {
    const web = named('Deployment', '-web');
    expect(containersOf(web)[0]?.readinessProbe?.httpGet?.path).toBe('/api/health');
    const hpa = named('HorizontalPodAutoscaler', '-web');
    expect(hpa?.spec?.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: web?.metadata.name });
  });

  it('has one worker Deployment per capability, each serving only its queue', () => {
    const served = byKind('Deployment')
      .filter((object) => object.metadata.name.includes('-worker-'))
      .map(
        (object) =>
          containersOf(object)[0]?.env?.find((env) => env.name === 'PINCER_WORKER_CAPABILITIES')?.value,
      );
    expect(served.sort()).toEqual(['browser', 'core', 'llm', 'messaging', 'sandbox']);
  });

  it('runs the gateway as a single replica with its state on a volume', () => {
    const gateway = named('StatefulSet', '-gateway');
    expect(gateway?.spec?.replicas).toBe(1);
    expect(JSON.stringify(gateway?.spec?.volumeClaimTemplates)).toContain('ReadWriteOnce');
    expect(JSON.stringify(containersOf(gateway)[0])).toContain('/var/lib/pincer/gateway');
  });

  it('migrates the database in a Job before install and upgrade', () => {
    const job = named('Job', '-migrate');
    expect(job?.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    expect(containersOf(job)[0]?.command).toEqual(['node', 'apps/cli/bin/pincer.mjs', 'migrate']);
  });

  it('takes secrets by reference only, and sets only variables the configuration knows', () => {
    const known = new Set(Object.keys(ENV_BINDINGS));
    const configMap = byKind('ConfigMap')[0] as unknown as { data: Record<string, string> };
    const names = new Set(Object.keys(configMap.data));
    for (const object of [...byKind('Deployment'), ...byKind('StatefulSet'), ...byKind('Job')]) {
      for (const container of containersOf(object)) {
        expect(container.envFrom?.some((source) => source.secretRef?.name === 'pincer-secrets')).toBe(true);
        for (const env of container.env ?? []) names.add(env.name);
      }
    }
    expect([...names].filter((name) => !known.has(name) && name !== 'DOCKER_HOST')).toEqual([]);
    for (const secret of ['DATABASE_URL', 'PINCER_SECRET_KEY', 'PINCER_S3_SECRET_ACCESS_KEY'])
      expect(names.has(secret), `${secret} must come from the Secret`).toBe(false);
    expect(byKind('Secret')).toEqual([]);
  });

  it('keeps deploy/kubernetes/pincer.yaml equal to what the chart renders', () => {
    const committed = parseAllDocuments(
      readFileSync(path.join(repoRoot, 'deploy/kubernetes/pincer.yaml'), 'utf8'),
    )
      .map((document) => document.toJS())
      .filter(Boolean);
    expect(committed).toEqual(objects);
  });
});

describe('docker-compose.yml and the chart', () => {
  it('configure artifacts on S3 with the same variables', () => {
    const compose = readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8');
    const configMap = byKind('ConfigMap')[0] as unknown as { data: Record<string, string> };
    const s3InChart = Object.keys(configMap.data).filter((name) => name.startsWith('PINCER_S3_'));
    expect(s3InChart.length).toBeGreaterThan(2);
    for (const name of [...s3InChart, 'PINCER_ARTIFACTS_STORE']) expect(compose).toContain(name);
    expect(parseYaml(compose)).toBeTruthy();
  });
});
