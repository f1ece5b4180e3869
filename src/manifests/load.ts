/**
 * Reads Kubernetes manifests from files, folders and stdin into objects that remember
 * where they came from. Accepted forms (SPEC §6, §9): YAML streams of many documents,
 * JSON files holding one object, and `List` / `*List` objects (`kubectl get -o yaml|json`)
 * in either, whose items are expanded. Folders are walked recursively for `*.yaml`,
 * `*.yml` and `*.json`, skipping hidden entries and `node_modules`; a file named
 * explicitly is read whatever its extension.
 *
 * Nothing here stops at the first problem: an unreadable file, a malformed document or an
 * object without `apiVersion`, `kind` or `metadata.name` becomes a Diagnostic naming the
 * file, the document and (when known) the line, and everything else is still read.
 * Documents that are not Kubernetes objects at all (no `apiVersion` and no `kind`, as in a
 * Helm values file) are skipped with a warning; tool configuration such as
 * `kustomization.yaml` (groups `*.config.k8s.io`) is skipped silently. SecurityPolicy
 * objects are policies, not workloads: they are set aside in `policies`.
 *
 * Files are read whole up to a size limit and in pieces of whole documents beyond it, so
 * memory stays bounded by the largest document rather than the largest file.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import type { KubeObject } from '../engine/objects.js';
import { isRecord } from '../engine/objects.js';
import type { Diagnostic } from '../engine/types.js';
import { POLICY_API_VERSION, POLICY_KIND } from '../engine/policy-type.js';
import type { ReadingHelper } from './parallel-read.js';
import type { YamlDocument } from './yaml-documents.js';
import { lastDocumentBoundary, parseYamlDocuments } from './yaml-documents.js';

/** Where an object was read from. */
export interface ManifestSource {
  /** Path as given or found, relative to the working directory when inside it; `<stdin>` for stdin. */
  readonly file: string;
  /** 1-based document number in the file (always 1 for JSON). */
  readonly document: number;
  /** 1-based line where the document (or, for JSON, the file) starts. */
  readonly line: number;
  /** Position in the enclosing `List`, when the object was one of its items. */
  readonly item?: number;
}

export interface SourcedObject {
  readonly object: KubeObject;
  readonly source: ManifestSource;
}

export interface LoadProgress {
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly documents: number;
  readonly bytes: number;
}

export interface LoadOptions {
  /** Called after each file (and every few thousand documents of a large one). */
  readonly onProgress?: (progress: LoadProgress) => void;
  /** Working directory for relative paths and for naming files; `process.cwd()` by default. */
  readonly cwd?: string;
  /** Read for the path `-`. */
  readonly stdin?: Readable;
  /** Files larger than this are read in pieces; 64 MiB by default. */
  readonly wholeFileLimit?: number;
  /** Size of those pieces (each ends on a document boundary); 4 MiB by default. */
  readonly pieceSize?: number;
  /**
   * Threads that read and parse files at once, this one included; 1 (the default) reads
   * everything here. Extra threads are used only for inputs of at least `parallelMinBytes`.
   */
  readonly threads?: number;
  /** 4 MiB by default: below it, starting a thread costs more than it saves. */
  readonly parallelMinBytes?: number;
  /**
   * A module (exporting `continueAfterReading`, see parallel-read.ts) that reading workers
   * load after reading, to go on working on the objects they hold; they come back as
   * `helpers`, which the caller must close.
   */
  readonly continueIn?: URL;
}

export interface LoadResult extends LoadPart {
  /** The reading workers kept on with `continueIn`, one per run of files read elsewhere. */
  readonly helpers: readonly ReadingHelper[];
}

/** What one reading thread gives back for its run of files, in file order. */
export interface LoadPart {
  readonly objects: SourcedObject[];
  /** SecurityPolicy objects found among the manifests; the scanner applies only `--policy`. */
  readonly policies: SourcedObject[];
  readonly diagnostics: Diagnostic[];
  readonly files: number;
  readonly documents: number;
  readonly bytes: number;
}

export const STDIN_NAME = '<stdin>';
const MANIFEST_EXTENSIONS: ReadonlySet<string> = new Set(['.yaml', '.yml', '.json']);
const DEFAULT_WHOLE_FILE_LIMIT = 64 * 1024 * 1024;
const PIECE_SIZE = 4 * 1024 * 1024;
const PROGRESS_EVERY_DOCUMENTS = 5000;
const PARALLEL_MIN_BYTES = 4 * 1024 * 1024;

/** `file#document`: the key findings and diagnostics use to point at a document. */
export function sourceKey(source: ManifestSource): string {
  return `${source.file}#${source.document}`;
}

/** `file:line` for people and editors. */
export function formatSource(source: ManifestSource): string {
  return `${source.file}:${source.line}`;
}

/** Tool configuration that lives beside manifests but is no API object (kustomize, kubeadm, kubelet, kind). */
function isToolConfig(apiVersion: unknown): boolean {
  if (typeof apiVersion !== 'string') return false;
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return group.endsWith('.config.k8s.io') || group === 'kubeadm.k8s.io' || group === 'kind.x-k8s.io';
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'empty';
  return `a ${typeof value}`;
}

/** Collects objects and diagnostics for one load. */
class Collector {
  readonly objects: SourcedObject[] = [];
  readonly policies: SourcedObject[] = [];
  readonly diagnostics: Diagnostic[] = [];
  documents = 0;
  bytes = 0;
  files = 0;

  filesTotal = 0;
  /** What other threads have read so far and not yet handed over, for progress only. */
  readonly elsewhere = { files: 0, documents: 0, bytes: 0 };

  constructor(private readonly onProgress: ((progress: LoadProgress) => void) | undefined) {}

  progress(): void {
    this.onProgress?.({
      filesDone: this.files + this.elsewhere.files,
      filesTotal: this.filesTotal,
      documents: this.documents + this.elsewhere.documents,
      bytes: this.bytes + this.elsewhere.bytes,
    });
  }

  /** Appends what another thread read from the files after this thread's own. */
  absorb(part: LoadPart): void {
    for (const entry of part.objects) this.objects.push(entry);
    for (const entry of part.policies) this.policies.push(entry);
    for (const entry of part.diagnostics) this.diagnostics.push(entry);
    this.files += part.files;
    this.documents += part.documents;
    this.bytes += part.bytes;
  }

  part(): LoadPart {
    return {
      objects: this.objects,
      policies: this.policies,
      diagnostics: this.diagnostics,
      files: this.files,
      documents: this.documents,
      bytes: this.bytes,
    };
  }

  error(path: string, message: string): void {
    this.diagnostics.push({ severity: 'error', path, message });
  }

  warn(path: string, message: string): void {
    this.diagnostics.push({ severity: 'warning', path, message });
  }

  document(file: string, doc: YamlDocument): void {
    this.documents++;
    if (this.documents % PROGRESS_EVERY_DOCUMENTS === 0) this.progress();
    const source: ManifestSource = { file, document: doc.index, line: doc.line };
    if (doc.error !== undefined) {
      this.error(
        `${file}#${doc.index}`,
        `line ${doc.error.line}, column ${doc.error.column}: ${doc.error.reason}`,
      );
      return;
    }
    this.value(doc.value, source);
  }

  /** One parsed document (or JSON file): an object, a List of them, or nothing. */
  value(value: unknown, source: ManifestSource): void {
    if (value === null || value === undefined) return;
    if (!isRecord(value)) {
      this.warn(
        sourceKey(source),
        `line ${source.line}: skipped: the document is ${describeValue(value)}, not a Kubernetes object`,
      );
      return;
    }
    const kind = value['kind'];
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(value['items'])) {
      this.list(value, kind, source);
      return;
    }
    this.object(value, source, '');
  }

  private list(list: Record<string, unknown>, kind: string, source: ManifestSource): void {
    // Items of a typed list read from the API (`PodList`) carry no kind or apiVersion of their own.
    const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
    const apiVersion = typeof list['apiVersion'] === 'string' ? list['apiVersion'] : undefined;
    (list['items'] as unknown[]).forEach((item, i) => {
      const at: ManifestSource = { ...source, item: i };
      if (!isRecord(item)) {
        this.error(
          sourceKey(source),
          `line ${source.line}: items[${i}]: skipped: the item is ${describeValue(item)}, not a Kubernetes object`,
        );
        return;
      }
      let object = item;
      if (itemKind !== undefined && item['kind'] === undefined) object = { ...object, kind: itemKind };
      if (itemKind !== undefined && item['apiVersion'] === undefined && apiVersion !== undefined)
        object = { ...object, apiVersion };
      if (object['kind'] === 'List') {
        this.error(sourceKey(source), `line ${source.line}: items[${i}]: skipped: a List inside a List`);
        return;
      }
      this.object(object, at, `items[${i}]: `);
    });
  }

  private object(value: Record<string, unknown>, source: ManifestSource, prefix: string): void {
    const apiVersion = value['apiVersion'];
    const kind = value['kind'];
    if (apiVersion === undefined && kind === undefined) {
      this.warn(
        sourceKey(source),
        `line ${source.line}: ${prefix}skipped: no apiVersion or kind, so not a Kubernetes object`,
      );
      return;
    }
    if (isToolConfig(apiVersion)) return;
    const missing: string[] = [];
    if (typeof apiVersion !== 'string' || apiVersion === '') missing.push('apiVersion');
    if (typeof kind !== 'string' || kind === '') missing.push('kind');
    const metadata = value['metadata'];
    let object = value as KubeObject;
    const name = isRecord(metadata) ? metadata['name'] : undefined;
    if (typeof name !== 'string' || name === '') {
      const generateName = isRecord(metadata) ? metadata['generateName'] : undefined;
      if (typeof generateName === 'string' && generateName !== '' && isRecord(metadata)) {
        // `kubectl create` manifests name objects by prefix; the prefix is the best name we have.
        object = { ...value, metadata: { ...metadata, name: generateName } } as KubeObject;
      } else missing.push('metadata.name');
    }
    if (missing.length > 0) {
      const what = typeof kind === 'string' && kind !== '' ? `${kind} ` : '';
      this.error(
        sourceKey(source),
        `line ${source.line}: ${prefix}skipped: ${what}object has no ${missing.join(', no ')}`,
      );
      return;
    }
    if (kind === POLICY_KIND && apiVersion === POLICY_API_VERSION) {
      this.policies.push({ object, source });
      return;
    }
    this.objects.push({ object, source });
  }
}

/** Byte offset → 1-based line and column, for JSON.parse errors. */
function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function readJson(collector: Collector, file: string, text: string): void {
  collector.documents++;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // V8 names the offset ("... in JSON at position 42"); report it as line and column.
    const match = /at position (\d+)/.exec(message);
    const where = match !== null ? positionOf(text, Number(match[1])) : undefined;
    const reason = message.replace(/\s*(in JSON )?at position \d+.*$/s, '').replace(/^JSON\.parse: /, '');
    collector.error(
      `${file}#1`,
      `${where !== undefined ? `line ${where.line}, column ${where.column}: ` : ''}invalid JSON: ${reason}`,
    );
    return;
  }
  collector.value(value, { file, document: 1, line: 1 });
}

function readYaml(collector: Collector, file: string, text: string): void {
  for (const doc of parseYamlDocuments(text)) collector.document(file, doc);
}

/** JSON if the text opens like JSON and parses as it; YAML otherwise (JSON is YAML too, only slower to read). */
function readText(collector: Collector, file: string, text: string, isJsonFile: boolean): void {
  const first = text.trimStart().charCodeAt(0);
  if (isJsonFile || first === 0x7b) {
    if (isJsonFile) return readJson(collector, file, text);
    try {
      const value = JSON.parse(text) as unknown;
      collector.documents++;
      collector.value(value, { file, document: 1, line: 1 });
      return;
    } catch {
      // Not one JSON value (perhaps YAML flow style, or several documents): read it as YAML.
    }
  }
  readYaml(collector, file, text);
}

/** Reads a big YAML stream in pieces that end on document boundaries. */
async function readYamlStream(
  collector: Collector,
  file: string,
  stream: AsyncIterable<string>,
  pieceSize: number,
): Promise<void> {
  let pending = '';
  let lineBase = 1;
  let index = 1;
  const flush = (text: string): void => {
    for (const doc of parseYamlDocuments(text, { firstLine: lineBase, firstIndex: index })) {
      collector.document(file, doc);
      index = doc.index + 1;
    }
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineBase++;
  };
  // pending[0, searched) has been looked through for boundaries (its last line may be partial, so it is re-read).
  let searched = 0;
  for await (const chunk of stream) {
    pending += chunk;
    collector.bytes += Buffer.byteLength(chunk);
    if (pending.length < pieceSize) continue;
    const boundary = lastDocumentBoundary(pending, searched);
    if (boundary <= 0) {
      searched = Math.max(0, pending.lastIndexOf('\n'));
      continue;
    }
    const piece = pending.slice(0, boundary);
    pending = pending.slice(boundary);
    searched = Math.max(0, pending.lastIndexOf('\n'));
    flush(piece);
  }
  if (pending !== '') flush(pending);
}

async function readStdin(
  collector: Collector,
  stdin: Readable,
  limit: number,
  pieceSize: number,
): Promise<void> {
  // Stdin has no size up front: gather it, and switch to reading in pieces if it grows large.
  stdin.setEncoding('utf8');
  const iterator = stdin[Symbol.asyncIterator]() as AsyncIterator<string>;
  const chunks: string[] = [];
  let size = 0;
  for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
    chunks.push(next.value);
    size += next.value.length;
    if (size > limit) {
      const rest = (async function* (): AsyncGenerator<string> {
        yield* chunks;
        for (let more = await iterator.next(); more.done !== true; more = await iterator.next())
          yield more.value;
      })();
      await readYamlStream(collector, STDIN_NAME, rest, pieceSize);
      return;
    }
  }
  const text = chunks.join('');
  collector.bytes += Buffer.byteLength(text);
  readText(collector, STDIN_NAME, text, false);
}

export interface FoundFile {
  readonly path: string;
  readonly display: string;
  readonly size: number;
}

/** Paths are shown as the user gave them: relative ones relative to the working directory, absolute ones absolute. */
function displayPath(path: string, cwd: string, absolute: boolean): string {
  const shown = absolute ? path : relative(cwd, path) || basename(path);
  return sep === '/' ? shown : shown.split(sep).join('/');
}

/** Expands the arguments into files, in a stable order, each once. */
async function findFiles(
  paths: readonly string[],
  cwd: string,
  collector: Collector,
): Promise<(FoundFile | 'stdin')[]> {
  const out: (FoundFile | 'stdin')[] = [];
  const seen = new Set<string>();
  let matched = 0;
  const visitDir = async (dir: string, visitedDirs: Set<string>, absolute: boolean): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      collector.error(displayPath(dir, cwd, absolute), `cannot read directory: ${errorText(error)}`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const target = await stat(full);
          isDir = target.isDirectory();
          isFile = target.isFile();
        } catch {
          continue; // a dangling link in a folder is not the user's input
        }
      }
      if (isDir) {
        const real = await realpath(full).catch(() => full);
        if (visitedDirs.has(real)) continue; // a link back up the tree
        await visitDir(full, new Set([...visitedDirs, real]), absolute);
      } else if (isFile && MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase())) {
        matched++;
        await addFile(full, absolute);
      }
    }
  };
  const addFile = async (path: string, absolute: boolean): Promise<void> => {
    const real = await realpath(path).catch(() => path);
    if (seen.has(real)) return;
    seen.add(real);
    const info = await stat(path);
    out.push({ path, display: displayPath(path, cwd, absolute), size: info.size });
  };
  for (const arg of paths) {
    if (arg === '-') {
      if (!seen.has('-')) out.push('stdin');
      seen.add('-');
      continue;
    }
    const path = resolve(cwd, arg);
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      collector.error(arg, `cannot read: ${errorText(error)}`);
      continue;
    }
    if (info.isDirectory()) {
      const before = matched;
      const real = await realpath(path).catch(() => path);
      await visitDir(path, new Set([real]), isAbsolute(arg));
      if (matched === before) collector.warn(arg, 'no *.yaml, *.yml or *.json files found');
    } else {
      await addFile(path, isAbsolute(arg));
    }
  }
  return out;
}

function errorText(error: unknown): string {
  if (error !== null && typeof error === 'object' && 'code' in error) {
    switch (error.code) {
      case 'ENOENT':
        return 'no such file or directory';
      case 'EACCES':
      case 'EPERM':
        return 'permission denied';
      case 'EISDIR':
        return 'is a directory';
    }
  }
  return error instanceof Error ? error.message : String(error);
}

/** How files are read: the whole-file limit and the size of the pieces beyond it. */
export interface ReadSettings {
  readonly limit: number;
  readonly pieceSize: number;
}

/** Reads the files in order into the collector. */
async function readFiles(
  collector: Collector,
  files: readonly (FoundFile | 'stdin')[],
  settings: ReadSettings,
  stdin: Readable | undefined,
): Promise<void> {
  const { limit, pieceSize } = settings;
  for (const file of files) {
    if (file === 'stdin') {
      if (stdin === undefined) collector.error(STDIN_NAME, 'no standard input to read');
      else await readStdin(collector, stdin, limit, pieceSize);
    } else if (file.size > limit) {
      await readYamlStream(
        collector,
        file.display,
        createReadStream(file.path, {
          encoding: 'utf8',
          highWaterMark: 1024 * 1024,
        }) as AsyncIterable<string>,
        pieceSize,
      ).catch((error: unknown) => collector.error(file.display, `cannot read: ${errorText(error)}`));
    } else {
      // A blocking read: manifests are small, and a promise-based read of each costs more in
      // file-handle bookkeeping than the read itself (other threads parse meanwhile).
      let text: string | undefined;
      try {
        text = readFileSync(file.path, 'utf8');
      } catch (error) {
        collector.error(file.display, `cannot read: ${errorText(error)}`);
      }
      if (text !== undefined) {
        collector.bytes += file.size;
        readText(collector, file.display, text, extname(file.path).toLowerCase() === '.json');
      }
    }
    collector.files++;
    collector.progress();
  }
}

/**
 * Reads a run of files for another thread (see read-worker.ts), reporting progress after
 * each file. The result is that thread's part of the load, in file order.
 */
export async function readFileRun(
  files: readonly FoundFile[],
  settings: ReadSettings,
  onProgress: (progress: LoadProgress) => void,
): Promise<LoadPart> {
  const collector = new Collector(onProgress);
  collector.filesTotal = files.length;
  await readFiles(collector, files, settings, undefined);
  return collector.part();
}

/**
 * Splits the files into `threads` runs of consecutive files with about equal bytes, so that
 * putting the runs' results one after another gives the order of reading them all here.
 */
function splitIntoRuns(files: readonly FoundFile[], threads: number): FoundFile[][] {
  const total = files.reduce((sum, file) => sum + file.size, 0);
  const runs: FoundFile[][] = [];
  let run: FoundFile[] = [];
  let done = 0;
  for (const file of files) {
    run.push(file);
    done += file.size;
    if (runs.length < threads - 1 && done >= (total * (runs.length + 1)) / threads) {
      runs.push(run);
      run = [];
    }
  }
  runs.push(run);
  return runs.filter((r) => r.length > 0);
}

/**
 * Reads and parses files on several threads: this one takes the first run, a worker each
 * of the others, and the parts are joined in file order, so the result is the same as
 * reading everything here. A worker that cannot start or fails leaves its run to this thread.
 */
async function readInParallel(
  collector: Collector,
  files: readonly FoundFile[],
  threads: number,
  settings: ReadSettings,
  continueIn: URL | undefined,
): Promise<ReadingHelper[]> {
  const [own = [], ...others] = splitIntoRuns(files, threads);
  const { readInWorker } = await import('./parallel-read.js');
  const parts = others.map((run) => {
    const seen = { files: 0, documents: 0, bytes: 0 };
    return {
      run,
      result: readInWorker(
        run,
        settings,
        (progress) => {
          collector.elsewhere.files += progress.filesDone - seen.files;
          collector.elsewhere.documents += progress.documents - seen.documents;
          collector.elsewhere.bytes += progress.bytes - seen.bytes;
          seen.files = progress.filesDone;
          seen.documents = progress.documents;
          seen.bytes = progress.bytes;
          collector.progress();
        },
        continueIn,
      ).then(
        (read) => ({ read, seen }),
        () => ({ read: undefined, seen }),
      ),
    };
  });
  await readFiles(collector, own, settings, undefined);
  const helpers: ReadingHelper[] = [];
  for (const { run, result } of parts) {
    const { read, seen } = await result;
    collector.elsewhere.files -= seen.files;
    collector.elsewhere.documents -= seen.documents;
    collector.elsewhere.bytes -= seen.bytes;
    if (read === undefined) {
      await readFiles(collector, run, settings, undefined);
      continue;
    }
    collector.absorb(read.part);
    if (read.helper !== undefined) helpers.push(read.helper);
  }
  return helpers;
}

/**
 * Reads every manifest under `paths` (`-` is stdin). Never rejects on bad input: problems
 * come back as diagnostics, and whatever could be read is returned.
 */
export async function loadManifests(
  paths: readonly string[],
  options: LoadOptions = {},
): Promise<LoadResult> {
  const cwd = options.cwd ?? process.cwd();
  const settings: ReadSettings = {
    limit: options.wholeFileLimit ?? DEFAULT_WHOLE_FILE_LIMIT,
    pieceSize: options.pieceSize ?? PIECE_SIZE,
  };
  const collector = new Collector(options.onProgress);
  const files = await findFiles(paths, cwd, collector);
  collector.filesTotal = files.length;

  const threads = Math.min(options.threads ?? 1, files.length);
  const onDisk = files.filter((file): file is FoundFile => file !== 'stdin');
  const bytes = onDisk.reduce((sum, file) => sum + file.size, 0);
  let helpers: ReadingHelper[] = [];
  if (
    threads > 1 &&
    onDisk.length === files.length &&
    bytes >= (options.parallelMinBytes ?? PARALLEL_MIN_BYTES)
  ) {
    helpers = await readInParallel(collector, onDisk, threads, settings, options.continueIn);
  } else {
    await readFiles(collector, files, settings, options.stdin);
  }
  return { ...collector.part(), helpers };
}
