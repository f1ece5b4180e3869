/**
 * Splits a YAML stream into its documents and parses each on its own, so that one
 * malformed document costs only itself (js-yaml's `loadAll` gives up on the whole stream at
 * the first error) and so a document's position in its file is known for messages and
 * SARIF locations.
 *
 * A document starts at a `---` line and ends before the next `---`, or after a `...` line;
 * text before the first marker, or after a `...`, is a document only when it holds more
 * than comments and directives (YAML 1.2 §9.2, and what `loadAll` counts). A marker at
 * column 0 ends any scalar in YAML, so splitting on these lines never cuts a document that
 * js-yaml would read whole.
 *
 * Each document goes through the fast path (fast-yaml.ts) and, when that declines, through
 * js-yaml, which also reports the reason and position of malformed input.
 */
import { load, YAMLException } from 'js-yaml';
import { isFastPathText, parseFastYaml, YamlLines } from './fast-yaml.js';

export interface YamlDocument {
  /** 1-based position of the document in the stream. */
  readonly index: number;
  /** 1-based line of the document's first content (or of its `---` when empty). */
  readonly line: number;
  /** The parsed value; `null` for an empty document. Absent when `error` is set. */
  readonly value?: unknown;
  readonly error?: YamlError;
}

export interface YamlError {
  readonly reason: string;
  /** 1-based, in the whole stream. */
  readonly line: number;
  readonly column: number;
}

export interface SplitOptions {
  /** Line number of the text's first line in its file (for texts read in pieces); 1 by default. */
  readonly firstLine?: number;
  /** Index the first document gets; 1 by default. */
  readonly firstIndex?: number;
}

const DASH = 0x2d;
const DOT = 0x2e;
const SPACE = 0x20;
const TAB = 0x09;
const PERCENT = 0x25;

/** `---` or `...` at column 0, followed by whitespace or the line's end. */
function markerAt(src: string, start: number, end: number): 'start' | 'end' | undefined {
  if (end - start < 3) return undefined;
  const c = src.charCodeAt(start);
  if (c !== DASH && c !== DOT) return undefined;
  if (src.charCodeAt(start + 1) !== c || src.charCodeAt(start + 2) !== c) return undefined;
  if (end - start > 3) {
    const next = src.charCodeAt(start + 3);
    if (next !== SPACE && next !== TAB && next !== 0x0d) return undefined;
  }
  return c === DASH ? 'start' : 'end';
}

interface Range {
  /** First and one-past-last line. */
  readonly first: number;
  readonly end: number;
  readonly explicit: boolean;
}

/** Whether lines [first, end) hold anything besides blanks, comments and directives. */
function hasContent(lines: YamlLines, first: number, end: number): boolean {
  for (let line = first; line < end; line++) {
    if (lines.ignorable[line] === 1) continue;
    const start = lines.starts[line] as number;
    if (lines.indents[line] === 0 && lines.src.charCodeAt(start) === PERCENT) continue;
    // A lone `\r` (CRLF files) is blank too.
    const rest = lines.src.slice(start, lines.ends[line]).trim();
    if (rest === '' || rest.startsWith('#')) continue;
    return true;
  }
  return false;
}

function documentRanges(lines: YamlLines): Range[] {
  const ranges: Range[] = [];
  const { src, starts, ends } = lines;
  let first = 0;
  let explicit = false;
  const close = (end: number): void => {
    if (explicit || hasContent(lines, first, end)) ranges.push({ first, end, explicit });
  };
  for (let line = 0; line < lines.count; line++) {
    if (lines.indents[line] !== 0) continue;
    const marker = markerAt(src, starts[line] as number, ends[line] as number);
    if (marker === 'start') {
      close(line);
      first = line;
      explicit = true;
    } else if (marker === 'end') {
      close(line + 1);
      first = line + 1;
      explicit = false;
    }
  }
  close(lines.count);
  return ranges;
}

function firstContentLine(lines: YamlLines, range: Range): number {
  for (let line = range.first; line < range.end; line++) {
    if (lines.ignorable[line] === 1) continue;
    if (markerAt(lines.src, lines.starts[line] as number, lines.ends[line] as number) !== undefined) {
      // Content on the marker's own line (`--- !tag`, `--- |`) starts here.
      const rest = lines.src.slice((lines.starts[line] as number) + 3, lines.ends[line]).trim();
      if (rest === '' || rest.startsWith('#')) continue;
    }
    return line;
  }
  return range.first;
}

/** Parses with js-yaml; the error position is made absolute. */
function parseSlow(text: string, lineOffset: number): { value?: unknown; error?: YamlError } {
  try {
    return { value: load(text) };
  } catch (error) {
    if (error instanceof YAMLException) {
      const mark = error.mark;
      return {
        error: {
          reason: error.reason,
          line: (mark?.line ?? 0) + lineOffset,
          column: (mark?.column ?? 0) + 1,
        },
      };
    }
    // js-yaml reports absurd nesting as a RangeError; anything thrown is this document's fault.
    const reason = error instanceof Error ? error.message : String(error);
    return { error: { reason, line: lineOffset, column: 1 } };
  }
}

/**
 * The documents of a YAML stream, in order. Never throws: a malformed document comes back
 * with `error` and the following documents are still read.
 */
export function* parseYamlDocuments(text: string, options: SplitOptions = {}): Generator<YamlDocument> {
  const lineBase = options.firstLine ?? 1;
  let index = options.firstIndex ?? 1;
  const lines = new YamlLines(text);
  const fast = isFastPathText(text);
  for (const range of documentRanges(lines)) {
    const line = firstContentLine(lines, range) + lineBase;
    let value = fast ? parseFastYaml(lines, range.first, range.end) : undefined;
    if (value === undefined) {
      const start = lines.starts[range.first] as number;
      const end = range.end < lines.count ? (lines.starts[range.end] as number) : text.length;
      const parsed = parseSlow(text.slice(start, end), range.first + lineBase);
      if (parsed.error !== undefined) {
        yield { index: index++, line, error: parsed.error };
        continue;
      }
      value = parsed.value;
    }
    yield { index: index++, line, value };
  }
}

/**
 * Where the last complete document of `text` ends: the offset of the last line that starts
 * a document (`---`) or follows a `...`, looking no further back than `from`. Used to read
 * huge streams in pieces of whole documents; -1 when there is no boundary after `from`.
 */
export function lastDocumentBoundary(text: string, from = 0): number {
  for (let at = text.lastIndexOf('\n'); at >= from - 1 && at >= 0; at = at === 0 ? -1 : text.lastIndexOf('\n', at - 1)) {
    const start = at + 1;
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const marker = markerAt(text, start, end);
    if (marker === 'start') return start;
    if (marker === 'end' && end < text.length) return end + 1;
  }
  return -1;
}
