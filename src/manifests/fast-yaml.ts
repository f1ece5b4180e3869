/**
 * A fast path for the YAML that Kubernetes manifests are almost always written in: block
 * mappings and sequences (including the compact `key:\n- item` style), plain, quoted and
 * literal (`|`, `|-`) scalars, and single-line flow collections. It exists because parsing
 * dominates an offline scan (SPEC §9: js-yaml alone takes most of the 1.5 s budget on the
 * 13.5 MB benchmark set, and more while its code is still cold).
 *
 * It never decides anything js-yaml would decide differently. On any construct outside
 * that subset (anchors, tags, folded or keep-chomped scalars, multi-line plain or quoted
 * scalars, flow collections spanning lines, complex keys, merge keys, tabs, CR line ends,
 * duplicate keys) it gives up and returns `undefined`, and the caller parses the document
 * with js-yaml, which also produces the error message and position for malformed input.
 * Plain scalars that could be anything but a string (numbers, booleans, nulls) are
 * resolved by js-yaml itself, so type resolution is js-yaml's by construction.
 */
import { load } from 'js-yaml';

/** Thrown (as this one object) to abandon the fast path; never escapes this module. */
const GIVE_UP: unique symbol = Symbol('give up');

const SPACE = 0x20;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;
const PIPE = 0x7c;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const COMMA = 0x2c;

// Scalars resolved by js-yaml recur constantly (`"1"`, `512Mi`, `8080`); cache them, bounded.
const RESOLVED_CACHE_LIMIT = 20_000;
const resolvedCache = new Map<string, unknown>();

function resolveWithJsYaml(text: string): unknown {
  if (resolvedCache.has(text)) return resolvedCache.get(text);
  // Alone in a document these would be markers or directives, not the scalar they are in place.
  if (text.startsWith('---') || text.startsWith('...') || text.startsWith('%')) throw GIVE_UP;
  let value: unknown;
  try {
    value = load(text);
  } catch {
    throw GIVE_UP;
  }
  // Only scalars may come back; anything else means the text was not the scalar we thought.
  if (value !== null && typeof value === 'object') throw GIVE_UP;
  if (resolvedCache.size >= RESOLVED_CACHE_LIMIT) resolvedCache.clear();
  resolvedCache.set(text, value);
  return value;
}

function isLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

/**
 * A plain scalar's value under js-yaml's default (YAML 1.2 core) schema. Text starting with
 * a letter, `/` or `_` is a string unless it is one of the core schema's words; everything
 * else that could be a number or null goes to js-yaml.
 */
function resolvePlain(text: string): unknown {
  const c = text.charCodeAt(0);
  if (isLetter(c) || c === 0x2f || c === 0x5f) {
    if (text.length <= 5) {
      switch (text) {
        case 'true':
        case 'True':
        case 'TRUE':
          return true;
        case 'false':
        case 'False':
        case 'FALSE':
          return false;
        case 'null':
        case 'Null':
        case 'NULL':
          return null;
      }
    }
    return text;
  }
  if (c >= 0x30 && c <= 0x39) {
    // Decimal integers short enough to be exact, as the core schema reads them (`017` is 17).
    if (text.length <= 15 && DECIMAL.test(text)) return Number(text);
    // A digit followed by letters no number has (`512Mi`, `100m`, `3h`) is a string.
    if (NOT_A_NUMBER.test(text)) return text;
  }
  return resolveWithJsYaml(text);
}

const DECIMAL = /^[0-9]+$/;
// Core schema numbers use only the letters e/E (exponent), x/X, o/O (bases) and a–f (hex digits).
const NOT_A_NUMBER = /[g-np-wyzG-NP-WYZ]/;

/**
 * Plain mapping keys seen before, by a hash of their length and three of their characters.
 * Manifests repeat a few hundred keys (`name`, `image`, `securityContext`) millions of
 * times; a key found here is compared in place and returned without slicing, resolving or
 * internalizing a new string. A colliding key simply replaces the slot.
 */
const SLOT_MASK = 4095;
const KEY_SLOTS: (string | undefined)[] = new Array<string | undefined>(SLOT_MASK + 1).fill(undefined);

/** The cache slot of the text on [col, stop) of src (non-empty): its length and three characters. */
function slotOf(src: string, col: number, stop: number): number {
  const length = stop - col;
  return (
    (length * 31 +
      src.charCodeAt(col) * 7 +
      src.charCodeAt(col + (length >> 1)) * 131 +
      src.charCodeAt(stop - 1)) &
    SLOT_MASK
  );
}

/**
 * Plain values seen before, slotted like KEY_SLOTS: values of up to CACHED_VALUE characters
 * (names, namespaces, images and label values repeat across a manifest set's objects).
 */
const CACHED_VALUE = 64;
const VALUE_SLOTS: (string | undefined)[] = new Array<string | undefined>(SLOT_MASK + 1).fill(undefined);

/**
 * V8 copies a slice of up to this many characters out of the text it is cut from; a longer
 * one is a view that keeps the whole text alive.
 */
const SLICE_COPIED = 12;

/**
 * A copy of a slice of a file's text that does not keep the file alive. A value kept as a
 * view held its whole file: on the 10k bench set, 68,000 values kept all 13.8 MB of the
 * files' text in memory for the whole scan, copied through the young generation on the way.
 * A JSON round trip is the cheapest way JavaScript has to make V8 copy a string (about a
 * tenth of a microsecond for a typical value).
 */
function detached(slice: string): string {
  return slice.length > SLICE_COPIED ? (JSON.parse(JSON.stringify(slice)) as string) : slice;
}

/**
 * The internalized (flat, property-key) copy of a string: a slice of a file would keep the
 * whole file alive from the cache.
 */
function internalized(text: string): string {
  return Object.keys({ [text]: 0 })[0] as string;
}

/** Characters that may not start a plain scalar (YAML's c-indicator, minus the `-?:` cases handled by callers). */
function isIndicator(c: number): boolean {
  switch (c) {
    case 0x2c: // ,
    case 0x5b: // [
    case 0x5d: // ]
    case 0x7b: // {
    case 0x7d: // }
    case 0x23: // #
    case 0x26: // &
    case 0x2a: // *
    case 0x21: // !
    case 0x7c: // |
    case 0x3e: // >
    case 0x27: // '
    case 0x22: // "
    case 0x25: // %
    case 0x40: // @
    case 0x60: // `
    case 0x3f: // ?
    case 0x3a: // :
    case 0x2d: // -
      return true;
  }
  return false;
}

/**
 * Line boundaries and indentation of a whole text, computed once: the document splitter and
 * the parser both read it, so a file is scanned for newlines only once.
 */
export class YamlLines {
  readonly src: string;
  readonly count: number;
  /** Offset of each line's first character. */
  readonly starts: Int32Array;
  /** Offset of each line's `\n` (or the text's end). */
  readonly ends: Int32Array;
  /** Leading spaces of each line. */
  readonly indents: Int32Array;
  /** 1 when a line holds only spaces or a comment. */
  readonly ignorable: Uint8Array;

  constructor(src: string) {
    this.src = src;
    let count = 1;
    for (let i = src.indexOf('\n'); i >= 0; i = src.indexOf('\n', i + 1)) count++;
    this.count = count;
    this.starts = new Int32Array(count);
    this.ends = new Int32Array(count);
    this.indents = new Int32Array(count);
    this.ignorable = new Uint8Array(count);
    let start = 0;
    for (let line = 0; line < count; line++) {
      let end = src.indexOf('\n', start);
      if (end < 0) end = src.length;
      let i = start;
      while (i < end && src.charCodeAt(i) === SPACE) i++;
      this.starts[line] = start;
      this.ends[line] = end;
      this.indents[line] = i - start;
      this.ignorable[line] = i === end || src.charCodeAt(i) === HASH ? 1 : 0;
      start = end + 1;
    }
  }
}

class FastParser {
  private readonly src: string;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly indents: Int32Array;
  private readonly ignorable: Uint8Array;
  /** One past the document's last line. */
  private readonly count: number;
  /** Cursor and line end while reading a flow collection. */
  private pos = 0;
  private flowEnd = 0;
  /**
   * The first line after the block node the last parse method read. The methods return
   * only the value and leave this here, so no `{ value, next }` pair is made for each of the
   * ~1.5 million nodes of a large scan.
   */
  private next = 0;
  /** Items of the sequences being read, innermost last (see parseSequence). */
  private readonly stack: unknown[] = [];

  constructor(lines: YamlLines, end: number) {
    this.src = lines.src;
    this.starts = lines.starts;
    this.ends = lines.ends;
    this.indents = lines.indents;
    this.ignorable = lines.ignorable;
    this.count = end;
  }

  /** The value of the document on lines [first, count). */
  parseDocument(first: number): unknown {
    let line = this.nextSignificant(first);
    // A leading `---` (the splitter keeps it) with nothing else on its line.
    if (
      line < this.count &&
      this.indents[line] === 0 &&
      this.src.startsWith('---', this.starts[line] as number)
    ) {
      const rest = this.restIsEmpty(line, (this.starts[line] as number) + 3);
      if (!rest) throw GIVE_UP;
      line = this.nextSignificant(line + 1);
    }
    if (line >= this.count) return null;
    const value = this.parseBlockNode(line, -1);
    const after = this.nextSignificant(this.next);
    if (after < this.count) {
      // Only a closing `...` may follow the root node.
      const start = this.starts[after] as number;
      if (
        this.indents[after] !== 0 ||
        !this.src.startsWith('...', start) ||
        !this.restIsEmpty(after, start + 3)
      )
        throw GIVE_UP;
      if (this.nextSignificant(after + 1) < this.count) throw GIVE_UP;
    }
    return value;
  }

  /** True when the line holds nothing but spaces and an optional comment after `from`. */
  private restIsEmpty(line: number, from: number): boolean {
    const end = this.ends[line] as number;
    let i = from;
    if (i < end && this.src.charCodeAt(i) !== SPACE) return false;
    while (i < end && this.src.charCodeAt(i) === SPACE) i++;
    return i === end || this.src.charCodeAt(i) === HASH;
  }

  /** A `...` line, which only `parseDocument` may accept. */
  private isDocumentEnd(line: number): boolean {
    const start = this.starts[line] as number;
    return this.indents[line] === 0 && this.src.startsWith('...', start) && this.restIsEmpty(line, start + 3);
  }

  private nextSignificant(line: number): number {
    while (line < this.count && this.ignorable[line]) line++;
    return line;
  }

  /** A block node starting on `line`, which must be indented more than `parentIndent`. */
  private parseBlockNode(line: number, parentIndent: number): unknown {
    const indent = this.indents[line] as number;
    if (indent <= parentIndent) throw GIVE_UP;
    const col = (this.starts[line] as number) + indent;
    if (this.isSequenceEntry(col, this.ends[line] as number)) return this.parseSequence(line, indent);
    if (this.keyEnd(col, this.ends[line] as number) >= 0) return this.parseMapping(line, indent, col);
    // A scalar alone on its own line (`key:\n  value`) is valid YAML but rare: leave it to js-yaml.
    throw GIVE_UP;
  }

  private isSequenceEntry(col: number, end: number): boolean {
    return this.src.charCodeAt(col) === DASH && (col + 1 === end || this.src.charCodeAt(col + 1) === SPACE);
  }

  /**
   * Where the key starting at `col` ends (the offset of its `:`), or -1 when the line holds
   * no mapping entry there. Quoted keys return the colon after the closing quote.
   */
  private keyEnd(col: number, end: number): number {
    const src = this.src;
    const first = src.charCodeAt(col);
    if (first === DQUOTE || first === SQUOTE) {
      const close = this.quotedEnd(col, end);
      if (close < 0) return -1;
      let i = close;
      while (i < end && src.charCodeAt(i) === SPACE) i++;
      return i < end && src.charCodeAt(i) === COLON && (i + 1 === end || src.charCodeAt(i + 1) === SPACE)
        ? i
        : -1;
    }
    for (let i = col; i < end; i++) {
      const c = src.charCodeAt(i);
      if (c === COLON && (i + 1 === end || src.charCodeAt(i + 1) === SPACE)) return i;
      if (c === HASH && i > col && src.charCodeAt(i - 1) === SPACE) return -1;
    }
    return -1;
  }

  /** Offset just past the closing quote of a quoted scalar opening at `col`, or -1 if it does not close on this line. */
  private quotedEnd(col: number, end: number): number {
    const src = this.src;
    const quote = src.charCodeAt(col);
    for (let i = col + 1; i < end; i++) {
      const c = src.charCodeAt(i);
      if (quote === SQUOTE) {
        if (c === SQUOTE) {
          if (src.charCodeAt(i + 1) === SQUOTE && i + 1 < end) i++;
          else return i + 1;
        }
      } else if (c === 0x5c) {
        i++;
      } else if (c === DQUOTE) {
        return i + 1;
      }
    }
    return -1;
  }

  private quotedValue(start: number, stop: number): string {
    const src = this.src;
    if (src.charCodeAt(start) === SQUOTE) {
      const inner = src.slice(start + 1, stop - 1);
      return inner.includes("''") ? inner.replaceAll("''", "'") : detached(inner);
    }
    const inner = src.slice(start + 1, stop - 1);
    if (!inner.includes('\\')) return detached(inner);
    // Escapes are js-yaml's to interpret, exactly as it would in place.
    const value = resolveWithJsYaml(src.slice(start, stop));
    if (typeof value !== 'string') throw GIVE_UP;
    return value;
  }

  private mappingKey(col: number, colon: number): string {
    const src = this.src;
    const first = src.charCodeAt(col);
    if (first === DQUOTE || first === SQUOTE) return this.quotedValue(col, this.quotedEnd(col, colon + 1));
    let stop = colon;
    while (stop > col && src.charCodeAt(stop - 1) === SPACE) stop--;
    if (isIndicator(first) || stop === col) throw GIVE_UP;
    const slot = slotOf(src, col, stop);
    const known = KEY_SLOTS[slot];
    if (known !== undefined && known.length === stop - col && src.startsWith(known, col)) return known;
    const text = src.slice(col, stop);
    // `<<` is a merge key and `__proto__` needs js-yaml's own care; `---`/`...` may be markers.
    if (text === '<<' || text === '__proto__' || text.startsWith('---') || text.startsWith('...'))
      throw GIVE_UP;
    const key = String(resolvePlain(text));
    // Only keys that read as their own text are kept, so a hit returns what this path would.
    if (key === text) KEY_SLOTS[slot] = internalized(key);
    return key;
  }

  /**
   * A plain scalar value on [col, stop). Short words recur in every manifest (`TCP`, `Always`,
   * `apps/v1`, `500m`): one that read as its own text before is returned from VALUE_SLOTS,
   * so all documents share one string instead of each holding its own copy.
   */
  private plainValue(col: number, stop: number): unknown {
    const src = this.src;
    const length = stop - col;
    let slot = -1;
    if (length <= CACHED_VALUE && length > 0) {
      slot = slotOf(src, col, stop);
      const known = VALUE_SLOTS[slot];
      if (known !== undefined && known.length === length && src.startsWith(known, col)) return known;
    }
    let text = src.slice(col, stop);
    if (text.startsWith('---') || text.startsWith('...')) throw GIVE_UP;
    const value = resolvePlain(text);
    if (value !== text) return value;
    text = detached(text);
    if (slot >= 0) VALUE_SLOTS[slot] = text;
    return text;
  }

  private parseMapping(line: number, indent: number, firstCol: number): unknown {
    const map: Record<string, unknown> = {};
    let col = firstCol;
    for (;;) {
      const end = this.ends[line] as number;
      const colon = this.keyEnd(col, end);
      if (colon < 0) throw GIVE_UP;
      const key = this.mappingKey(col, colon);
      // Values are never undefined here, so this finds duplicates (and gives up, rarely, on inherited names such as `toString`).
      if (map[key] !== undefined) throw GIVE_UP;
      const value = this.parseValue(line, colon + 1, indent, true);
      map[key] = value;
      line = this.nextSignificant(this.next);
      this.next = line;
      if (line >= this.count) return map;
      // js-yaml drops a null last entry when an explicit `...` ends the document; it decides.
      if (value === null && this.isDocumentEnd(line)) throw GIVE_UP;
      const nextIndent = this.indents[line] as number;
      if (nextIndent < indent || this.isDocumentEnd(line)) return map;
      if (nextIndent > indent) throw GIVE_UP;
      col = (this.starts[line] as number) + indent;
      if (this.isSequenceEntry(col, this.ends[line] as number)) {
        // A sequence entry at a mapping's own indent ends the mapping only in a compact
        // sequence's item (`- a: 1\n- b: 2`); the caller checks which.
        return map;
      }
    }
  }

  /** The stack's items from `base` up, as an exact-size array, taken off the stack. */
  private takeFrom(base: number): unknown[] {
    const items = this.stack.slice(base);
    this.stack.length = base;
    return items;
  }

  private parseSequence(line: number, indent: number): unknown {
    // A sequence's items gather on the document's stack (nested sequences above them) and
    // leave it as an array of exactly their number: an array grown by push keeps room for
    // 17, where a manifest's lists (ports, env, capabilities) mostly hold one or two, and
    // that empty room was copied by every young-generation collection the objects survived.
    const stack = this.stack;
    const base = stack.length;
    for (;;) {
      const dash = (this.starts[line] as number) + indent;
      const end = this.ends[line] as number;
      let col = dash + 1;
      while (col < end && this.src.charCodeAt(col) === SPACE) col++;
      let value: unknown;
      const first = this.src.charCodeAt(col);
      // A flow collection is a value here; as a key it would be a complex key, which gives up later.
      if (
        col < end &&
        first !== HASH &&
        first !== LBRACKET &&
        first !== LBRACE &&
        this.keyEnd(col, end) >= 0
      ) {
        value = this.parseMapping(line, col - (this.starts[line] as number), col);
      } else {
        if (col < end && this.isSequenceEntry(col, end)) throw GIVE_UP;
        value = this.parseValue(line, dash + 1, indent, false);
      }
      stack.push(value);
      line = this.nextSignificant(this.next);
      this.next = line;
      if (line >= this.count) return this.takeFrom(base);
      const nextIndent = this.indents[line] as number;
      if (nextIndent < indent || this.isDocumentEnd(line)) return this.takeFrom(base);
      if (nextIndent > indent) throw GIVE_UP;
      if (!this.isSequenceEntry((this.starts[line] as number) + indent, this.ends[line] as number)) {
        return this.takeFrom(base);
      }
    }
  }

  /**
   * The value after a mapping's `:` or a sequence's `-`, from offset `from` on `line`, for
   * a node whose entries sit at `indent`. Returns the value and the first line after it.
   */
  private parseValue(line: number, from: number, indent: number, inMapping: boolean): unknown {
    const src = this.src;
    const end = this.ends[line] as number;
    let col = from;
    while (col < end && src.charCodeAt(col) === SPACE) col++;
    if (col === end || src.charCodeAt(col) === HASH) {
      if (col > from || col === end) return this.parseNestedValue(line + 1, indent, inMapping);
      throw GIVE_UP;
    }
    if (col === from) throw GIVE_UP;
    const c = src.charCodeAt(col);
    if (c === PIPE) return this.parseLiteral(line, col, indent);
    let value: unknown;
    let stop: number;
    if (c === LBRACKET || c === LBRACE) {
      value = this.parseFlow(col, end);
      stop = this.pos;
    } else if (c === DQUOTE || c === SQUOTE) {
      stop = this.quotedEnd(col, end);
      if (stop < 0) throw GIVE_UP;
      value = this.quotedValue(col, stop);
    } else {
      if (
        isIndicator(c) &&
        !((c === DASH || c === COLON || c === 0x3f) && col + 1 < end && src.charCodeAt(col + 1) !== SPACE)
      ) {
        throw GIVE_UP;
      }
      stop = end;
      for (let i = col; i < end; i++) {
        const ch = src.charCodeAt(i);
        if (ch === HASH && src.charCodeAt(i - 1) === SPACE) {
          stop = i;
          break;
        }
        if (ch === COLON && (i + 1 === end || src.charCodeAt(i + 1) === SPACE)) throw GIVE_UP;
      }
      while (stop > col && src.charCodeAt(stop - 1) === SPACE) stop--;
      value = this.plainValue(col, stop);
    }
    if (stop !== end && !this.restIsEmpty(line, stop)) throw GIVE_UP;
    // A more-indented line after a scalar would continue it (a multi-line scalar): js-yaml's job.
    const next = this.nextSignificant(line + 1);
    if (next < this.count && (this.indents[next] as number) > indent) throw GIVE_UP;
    this.next = line + 1;
    return value;
  }

  /** The value of `key:` or `-` with nothing after it: a nested block, a compact sequence, or null. */
  private parseNestedValue(line: number, indent: number, inMapping: boolean): unknown {
    const next = this.nextSignificant(line);
    if (next >= this.count) {
      this.next = next;
      return null;
    }
    const nextIndent = this.indents[next] as number;
    if (nextIndent > indent) return this.parseBlockNode(next, indent);
    if (
      inMapping &&
      nextIndent === indent &&
      this.isSequenceEntry((this.starts[next] as number) + indent, this.ends[next] as number)
    ) {
      return this.parseSequence(next, indent);
    }
    this.next = next;
    return null;
  }

  /** A literal block scalar (`|` or `|-`) whose header is at `col` on `line`. */
  private parseLiteral(line: number, col: number, indent: number): unknown {
    const src = this.src;
    let i = col + 1;
    let strip = false;
    if (src.charCodeAt(i) === DASH) {
      strip = true;
      i++;
    }
    if (!this.restIsEmpty(line, i) && i !== this.ends[line]) throw GIVE_UP;
    let contentIndent = -1;
    const parts: string[] = [];
    let trailingEmpty = 0;
    let current = line + 1;
    let maxLeadingBlank = 0;
    for (; current < this.count; current++) {
      const start = this.starts[current] as number;
      const end = this.ends[current] as number;
      const spaces = this.indents[current] as number;
      const blank = start + spaces === end;
      if (blank) {
        if (contentIndent < 0) maxLeadingBlank = Math.max(maxLeadingBlank, spaces);
        else if (spaces > contentIndent) throw GIVE_UP;
        trailingEmpty++;
        continue;
      }
      if (contentIndent < 0) {
        if (spaces <= indent) break;
        contentIndent = spaces;
        // Leading blank lines longer than the content's indent are an error js-yaml reports.
        if (maxLeadingBlank > contentIndent) throw GIVE_UP;
      } else if (spaces < contentIndent) {
        break;
      }
      for (let k = 0; k < trailingEmpty; k++) parts.push('');
      trailingEmpty = 0;
      parts.push(src.slice(start + contentIndent, end));
    }
    if (contentIndent < 0 && maxLeadingBlank > indent) throw GIVE_UP;
    const body = parts.join('\n');
    // One line joins to itself, a slice of the file.
    const value = detached(strip || parts.length === 0 ? body : `${body}\n`);
    // A less-indented line that still is deeper than the parent would be an error or a continuation.
    const next = this.nextSignificant(current);
    if (next < this.count && (this.indents[next] as number) > indent) throw GIVE_UP;
    this.next = current;
    return value;
  }

  /** A flow collection that opens at `col` and closes on the same line. */
  /** Leaves `this.pos` just after the collection's closing bracket. */
  private parseFlow(col: number, end: number): unknown {
    this.flowEnd = end;
    this.pos = col;
    const value = this.flowCollection();
    if (this.pos > end) throw GIVE_UP;
    return value;
  }

  private skipSpaces(): void {
    while (this.pos < this.flowEnd && this.src.charCodeAt(this.pos) === SPACE) this.pos++;
  }

  /** The collection opening at `this.pos`; leaves `this.pos` after its closing bracket. */
  private flowCollection(): unknown {
    const src = this.src;
    const open = src.charCodeAt(this.pos);
    this.pos++;
    this.skipSpaces();
    if (open === LBRACKET) {
      const items: unknown[] = [];
      if (src.charCodeAt(this.pos) === RBRACKET) {
        this.pos++;
        return items;
      }
      for (;;) {
        items.push(this.flowItem(false));
        this.skipSpaces();
        const c = src.charCodeAt(this.pos++);
        if (c === RBRACKET) return items;
        if (c !== COMMA) throw GIVE_UP;
        this.skipSpaces();
        if (src.charCodeAt(this.pos) === RBRACKET) throw GIVE_UP;
      }
    }
    const map: Record<string, unknown> = {};
    if (src.charCodeAt(this.pos) === RBRACE) {
      this.pos++;
      return map;
    }
    for (;;) {
      const first = src.charCodeAt(this.pos);
      if (first === LBRACKET || first === LBRACE) throw GIVE_UP;
      const key = String(this.flowItem(true));
      this.skipSpaces();
      if (src.charCodeAt(this.pos) !== COLON || src.charCodeAt(this.pos + 1) !== SPACE) throw GIVE_UP;
      this.pos += 2;
      if (key === '__proto__' || key === '<<' || Object.hasOwn(map, key)) throw GIVE_UP;
      this.skipSpaces();
      const c0 = src.charCodeAt(this.pos);
      if (c0 === COMMA || c0 === RBRACE) throw GIVE_UP;
      map[key] = this.flowItem(false);
      this.skipSpaces();
      const c = src.charCodeAt(this.pos++);
      if (c === RBRACE) return map;
      if (c !== COMMA) throw GIVE_UP;
      this.skipSpaces();
      if (src.charCodeAt(this.pos) === RBRACE) throw GIVE_UP;
    }
  }

  /** One entry (or, in a map, one key) of a flow collection. */
  private flowItem(isKey: boolean): unknown {
    const src = this.src;
    const end = this.flowEnd;
    this.skipSpaces();
    const c = src.charCodeAt(this.pos);
    if (c === LBRACKET || c === LBRACE) return this.flowCollection();
    if (c === DQUOTE || c === SQUOTE) {
      const stop = this.quotedEnd(this.pos, end);
      if (stop < 0) throw GIVE_UP;
      const value = this.quotedValue(this.pos, stop);
      this.pos = stop;
      return value;
    }
    if (isIndicator(c) && !(c === DASH && this.pos + 1 < end && src.charCodeAt(this.pos + 1) !== SPACE))
      throw GIVE_UP;
    const start = this.pos;
    let i = start;
    for (; i < end; i++) {
      const ch = src.charCodeAt(i);
      if (ch === COMMA || ch === RBRACKET || ch === RBRACE) break;
      if (ch === COLON) {
        if (isKey && i + 1 < end && src.charCodeAt(i + 1) === SPACE) break;
        throw GIVE_UP;
      }
      if (ch === HASH || ch === LBRACKET || ch === LBRACE) throw GIVE_UP;
    }
    this.pos = i;
    let stop = i;
    while (stop > start && src.charCodeAt(stop - 1) === SPACE) stop--;
    if (stop === start) throw GIVE_UP;
    const text = src.slice(start, stop);
    const value = resolvePlain(text);
    return value === text ? detached(text) : value;
  }
}

/**
 * The value of the document on lines [first, end) of `lines`, or `undefined` when it uses
 * anything outside the fast path's subset (then js-yaml must parse it). Never throws.
 */
export function parseFastYaml(lines: YamlLines, first: number, end: number): unknown {
  try {
    return new FastParser(lines, end).parseDocument(first);
  } catch {
    // GIVE_UP, or a stack overflow on absurd nesting: either way js-yaml decides.
    return undefined;
  }
}

/** Whether a text may go through the fast path at all (tabs, CRs, a BOM or directives change how lines read). */
export function isFastPathText(text: string): boolean {
  return !(text.includes('\t') || text.includes('\r') || text.charCodeAt(0) === 0xfeff);
}
