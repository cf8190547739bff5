export { type CatalogModel, catalogModel, catalogNames, DEFAULT_MODEL, MODEL_CATALOG } from './catalog.ts';
export { InferenceError, type InferenceErrorCode } from './errors.ts';
export {
  createLocalInference,
  defaultThreads,
  type LocalInference,
  type LocalInferenceOptions,
} from './local.ts';
export {
  checkModel,
  describeModelLocation,
  fetchModel,
  locateModel,
  type ModelLocation,
} from './locate.ts';
export { type ModelFileFacts, sha256Of, verifyModelFile } from './model-file.ts';
export { createOpenAiInference, type OpenAiInferenceOptions } from './openai.ts';
export { createInference, type LlmSettings, modelsDirectory, type RunningInference } from './service.ts';
