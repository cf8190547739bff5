import path from 'node:path';
import type { InferenceService } from '@pincer/nodes';
import { createLocalInference, type LocalInferenceOptions } from './local.ts';
import { locateModel } from './locate.ts';
import { createOpenAiInference } from './openai.ts';

/** The `llm` section of pincer.yaml, as @pincer/config parses it. */
export interface LlmSettings {
  provider: 'local' | 'openai';
  model: string;
  contextSize: number;
  sequences: number;
  threads?: number | undefined;
  batchSize?: number | undefined;
  gpu: 'auto' | 'off';
  maxTokens: number;
  openai: { baseUrl?: string | undefined; model?: string | undefined; apiKey?: string | undefined };
}

export interface RunningInference extends InferenceService {
  close(): Promise<void>;
}

/** Where provisioned models live: `<cacheDir>/models`. */
export function modelsDirectory(cacheDir: string): string {
  return path.join(cacheDir, 'models');
}

/** The configured provider; a local model starts loading at once and reports `loading` until ready. */
export function createInference(
  settings: LlmSettings,
  cacheDir: string,
  onLog?: LocalInferenceOptions['onLog'],
): RunningInference {
  if (settings.provider === 'openai') {
    const { baseUrl, model, apiKey } = settings.openai;
    if (!baseUrl || !model) throw new Error('llm.openai.baseUrl and llm.openai.model are required');
    return createOpenAiInference({
      baseUrl,
      model,
      defaultMaxTokens: settings.maxTokens,
      ...(apiKey ? { apiKey } : {}),
    });
  }
  return createLocalInference({
    location: locateModel(settings.model, modelsDirectory(cacheDir)),
    contextSize: settings.contextSize,
    sequences: settings.sequences,
    gpu: settings.gpu,
    defaultMaxTokens: settings.maxTokens,
    ...(settings.threads ? { threads: settings.threads } : {}),
    ...(settings.batchSize ? { batchSize: settings.batchSize } : {}),
    ...(onLog ? { onLog } : {}),
  });
}
