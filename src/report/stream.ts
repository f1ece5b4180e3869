/**
 * Large reports written piece by piece: the JSON of a document whose one big array (the
 * findings, or SARIF's results) is produced item by item, byte for byte what
 * `JSON.stringify(document, null, 2)` would give, without ever holding the whole text or
 * every item's document at once. A scan with tens of thousands of findings then needs
 * memory for one finding's text at a time, not for 30 MB of JSON and its copy.
 */

/** Stands in the document for the array that is streamed. */
export const STREAMED_ARRAY = '\u0000bulwark:streamed-array\u0000';

/**
 * An item's JSON as `JSON.stringify(item, null, 2)` gives it, with every line after the
 * first indented by `indent` more. The default serializes any item; a format may pass a
 * faster one for its own items, which must give the same text.
 */
export type ItemJson<T> = (item: T, indent: string) => string;

function anyItemJson(item: unknown, indent: string): string {
  return JSON.stringify(item, null, 2).replaceAll('\n', `\n${indent}`);
}

export function* jsonChunks<T>(
  document: unknown,
  items: Iterable<T>,
  itemJson: ItemJson<T> = anyItemJson,
): Generator<string> {
  const text = JSON.stringify(document, null, 2);
  const marker = JSON.stringify(STREAMED_ARRAY);
  const at = text.indexOf(marker);
  if (at < 0) throw new Error('jsonChunks: the document holds no STREAMED_ARRAY placeholder');
  const lineStart = text.lastIndexOf('\n', at) + 1;
  let indent = 0;
  while (text.charCodeAt(lineStart + indent) === 0x20) indent++;
  const outer = ' '.repeat(indent);
  const inner = `${outer}  `;
  yield text.slice(0, at);
  let first = true;
  for (const item of items) {
    // Nested lines of an item sit one level deeper than the array's own line.
    const json = itemJson(item, inner);
    yield `${first ? '[\n' : ',\n'}${inner}${json}`;
    first = false;
  }
  yield first ? '[]' : `\n${outer}]`;
  yield `${text.slice(at + marker.length)}\n`;
}

export function* mapIterable<T, U>(items: Iterable<T>, map: (item: T) => U): Generator<U> {
  for (const item of items) yield map(item);
}
