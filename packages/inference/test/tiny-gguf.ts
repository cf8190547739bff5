import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLocalInference, type LocalInference, locateModel } from '../src/index.ts';

/**
 * Writes a tiny llama-architecture GGUF (v3, little-endian, F32 tensors) with seeded random
 * weights, so tests can load a real model through llama.cpp in milliseconds instead of the ~94 MB
 * default one. Its answers are noise, but everything around them (loading, token counting,
 * grammars, cancellation, file checks) is the real thing.
 *
 * Layout (GGUF v3): magic "GGUF", u32 version, u64 tensor count, u64 metadata count, the metadata
 * (key string, u32 value type, value), the tensor infos (name, u32 dims, u64 sizes innermost
 * first, u32 ggml type, u64 offset into the data), padding to the alignment, then the data.
 */

const ALIGNMENT = 32;
const GGML_TYPE_F32 = 0;

/** GGUF metadata value types. */
const T = { u32: 4, i32: 5, f32: 6, string: 8, array: 9 } as const;

type Value =
  | { type: 'u32' | 'i32' | 'f32'; value: number }
  | { type: 'string'; value: string }
  | { type: 'strings'; value: string[] }
  | { type: 'f32s' | 'i32s'; value: number[] };

/** Token types in tokenizer.ggml.token_type. */
const NORMAL = 1;
const UNKNOWN = 2;
const CONTROL = 3;
const BYTE = 6;
const EOS = 2;

export interface TinyGgufOptions {
  seed?: number;
  embedding?: number;
  blocks?: number;
  heads?: number;
  feedForward?: number;
  contextLength?: number;
}

/** The vocabulary: <unk> <s> </s>, the 256 byte tokens, `▁` (the SentencePiece space) and printable ASCII. */
function vocabulary(): { tokens: string[]; types: number[] } {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [UNKNOWN, CONTROL, CONTROL];
  for (let byte = 0; byte < 256; byte += 1) {
    tokens.push(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(BYTE);
  }
  tokens.push('▁');
  types.push(NORMAL);
  for (let code = 33; code < 127; code += 1) {
    tokens.push(String.fromCharCode(code));
    types.push(NORMAL);
    tokens.push(`▁${String.fromCharCode(code)}`);
    types.push(NORMAL);
  }
  return { tokens, types };
}

/** A small seeded PRNG (mulberry32), so a given seed always gives the same file. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Writer {
  private chunks: Buffer[] = [];
  length = 0;

  private push(buffer: Buffer): void {
    this.chunks.push(buffer);
    this.length += buffer.length;
  }

  u32(value: number): void {
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32LE(value);
    this.push(buffer);
  }

  i32(value: number): void {
    const buffer = Buffer.alloc(4);
    buffer.writeInt32LE(value);
    this.push(buffer);
  }

  f32(value: number): void {
    const buffer = Buffer.alloc(4);
    buffer.writeFloatLE(value);
    this.push(buffer);
  }

  u64(value: number): void {
    const buffer = Buffer.alloc(8);
    buffer.writeBigUInt64LE(BigInt(value));
    this.push(buffer);
  }

  string(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.u64(bytes.length);
    this.push(bytes);
  }

  raw(buffer: Buffer): void {
    this.push(buffer);
  }

  pad(): void {
    const rest = this.length % ALIGNMENT;
    if (rest) this.push(Buffer.alloc(ALIGNMENT - rest));
  }

  value(entry: Value): void {
    switch (entry.type) {
      case 'u32':
      case 'i32':
      case 'f32':
        this.u32(T[entry.type]);
        this[entry.type](entry.value);
        return;
      case 'string':
        this.u32(T.string);
        this.string(entry.value);
        return;
      case 'strings':
        this.u32(T.array);
        this.u32(T.string);
        this.u64(entry.value.length);
        for (const item of entry.value) this.string(item);
        return;
      case 'f32s':
      case 'i32s': {
        const type = entry.type === 'f32s' ? 'f32' : 'i32';
        this.u32(T.array);
        this.u32(T[type]);
        this.u64(entry.value.length);
        for (const item of entry.value) this[type](item);
        return;
      }
    }
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** The GGUF bytes of a tiny random llama model. */
export function tinyGguf(options: TinyGgufOptions = {}): Buffer {
  const embedding = options.embedding ?? 64;
  const blocks = options.blocks ?? 2;
  const heads = options.heads ?? 4;
  const feedForward = options.feedForward ?? 128;
  const next = random(options.seed ?? 1);
  const { tokens, types } = vocabulary();

  const metadata: [string, Value][] = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: 'tiny-random-llama' }],
    ['general.alignment', { type: 'u32', value: ALIGNMENT }],
    ['llama.context_length', { type: 'u32', value: options.contextLength ?? 2048 }],
    ['llama.embedding_length', { type: 'u32', value: embedding }],
    ['llama.block_count', { type: 'u32', value: blocks }],
    ['llama.feed_forward_length', { type: 'u32', value: feedForward }],
    ['llama.attention.head_count', { type: 'u32', value: heads }],
    ['llama.attention.head_count_kv', { type: 'u32', value: heads }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: 1e-5 }],
    ['llama.rope.dimension_count', { type: 'u32', value: embedding / heads }],
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'strings', value: tokens }],
    ['tokenizer.ggml.scores', { type: 'f32s', value: tokens.map((token) => -token.length) }],
    ['tokenizer.ggml.token_type', { type: 'i32s', value: types }],
    ['tokenizer.ggml.unknown_token_id', { type: 'u32', value: 0 }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: 1 }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: EOS }],
  ];

  // Shapes are innermost dimension first, as ggml stores them.
  const tensors: [string, number[]][] = [['token_embd.weight', [embedding, tokens.length]]];
  for (let block = 0; block < blocks; block += 1) {
    const name = (part: string) => `blk.${block}.${part}.weight`;
    tensors.push(
      [name('attn_norm'), [embedding]],
      [name('attn_q'), [embedding, embedding]],
      [name('attn_k'), [embedding, embedding]],
      [name('attn_v'), [embedding, embedding]],
      [name('attn_output'), [embedding, embedding]],
      [name('ffn_norm'), [embedding]],
      [name('ffn_gate'), [embedding, feedForward]],
      [name('ffn_up'), [embedding, feedForward]],
      [name('ffn_down'), [feedForward, embedding]],
    );
  }
  tensors.push(['output_norm.weight', [embedding]], ['output.weight', [embedding, tokens.length]]);

  const out = new Writer();
  out.raw(Buffer.from('GGUF', 'latin1'));
  out.u32(3);
  out.u64(tensors.length);
  out.u64(metadata.length);
  for (const [key, value] of metadata) {
    out.string(key);
    out.value(value);
  }

  const data: Buffer[] = [];
  let offset = 0;
  for (const [name, shape] of tensors) {
    const count = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(count);
    // Norm weights of 1 keep activations sane; matrices get small random values.
    for (let i = 0; i < count; i += 1) values[i] = shape.length === 1 ? 1 : (next() * 2 - 1) * 0.2;
    // </s> gets a logit of 0 while the best of the others is above it: free generation never ends
    // early (tests of maxTokens and cancellation stay deterministic); a grammar can still force it.
    if (name === 'output.weight') values.fill(0, EOS * embedding, (EOS + 1) * embedding);
    const bytes = Buffer.from(values.buffer);
    out.string(name);
    out.u32(shape.length);
    for (const size of shape) out.u64(size);
    out.u32(GGML_TYPE_F32);
    out.u64(offset);
    const padded = Math.ceil(bytes.length / ALIGNMENT) * ALIGNMENT;
    data.push(bytes, Buffer.alloc(padded - bytes.length));
    offset += padded;
  }
  out.pad();
  for (const chunk of data) out.raw(chunk);
  return out.toBuffer();
}

/** Writes a tiny model into a new temp directory; returns the file's path. */
export async function writeTinyGguf(options: TinyGgufOptions = {}): Promise<string> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'pincer-tiny-gguf-'));
  const file = path.join(directory, 'tiny-random-llama.gguf');
  await writeFile(file, tinyGguf(options));
  return file;
}

/** A tiny model written fresh and loaded on real llama.cpp, one thread, no GPU. */
export interface LoadedTinyModel {
  file: string;
  model: LocalInference;
  /** Closes the model and deletes its file. */
  remove(): Promise<void>;
}

export async function loadTinyModel(options: { seed: number; sequences: number }): Promise<LoadedTinyModel> {
  const file = await writeTinyGguf({ seed: options.seed });
  const model = createLocalInference({
    location: locateModel(file, path.dirname(file)),
    contextSize: 512,
    sequences: options.sequences,
    threads: 1,
    gpu: 'off',
    defaultMaxTokens: 16,
  });
  await model.ready;
  return {
    file,
    model,
    async remove() {
      await model.close();
      await rm(path.dirname(file), { recursive: true, force: true });
    },
  };
}
