/**
 * Large reports written piece by piece: the JSON of a document whose one big array (the
 * findings, or SARIF's results) is produced item by item, byte for byte what
 * `JSON.stringify(document, null, 2)` would give, without ever holding the whole text or
 * every item's document at once. A scan with tens of thousands of findings then needs
 * memory for one finding's text at a time, not for 30 MB of JSON and its copy.
 */

/** Stands in the document for the array that is streamed. */
export const STREAMED_ARRAY = '\u0000bulwark:streamed-array\u0000';

export function* jsonChunks(document: unknown, items: Iterable<unknown>): Generator<string> {
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
    const json = JSON.stringify(item, null, 2).replaceAll('\n', `\n${inner}`);
    yield `${first ? '[\n' : ',\n'}${inner}${json}`;
    first = false;
  }
  yield first ? '[]' : `\n${outer}]`;
  yield `${text.slice(at + marker.length)}\n`;
}

export function* mapIterable<T, U>(items: Iterable<T>, map: (item: T) => U): Generator<U> {
  for (const item of items) yield map(item);
}
