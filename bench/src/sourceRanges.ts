// Which source file each byte of a bundle came from, read from its source map: the ranges a
// module left in the output, so that the bundle can be compressed with and without them.

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The numbers of one source-map segment (base64 VLQ, as the Source Map spec encodes them). */
function decodeSegment(text: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of text) {
    const digit = BASE64.indexOf(ch);
    if (digit < 0) throw new Error(`not a base64 VLQ digit: ${ch}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    out.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return out;
}

/** One stretch of generated code: line, start and end column (end exclusive), source index. */
export interface Range {
  line: number;
  start: number;
  end: number;
  source: number;
}

/**
 * The generated ranges of a source map's `mappings`, each attributed to the source of its first
 * segment (a segment runs until the next one on its line; the last one to the end of the line).
 *
 * @example
 * rangesOf(map.mappings, code.split('\n').map((l) => l.length)); // [{ line: 0, start: 0, end: 12, source: 3 }, …]
 */
export function rangesOf(mappings: string, lineLengths: readonly number[]): Range[] {
  const ranges: Range[] = [];
  let source = 0;
  mappings.split(';').forEach((line, index) => {
    let column = 0;
    const starts: [number, number][] = [];
    for (const segment of line.split(',').filter(Boolean)) {
      const [dColumn = 0, dSource] = decodeSegment(segment);
      column += dColumn;
      if (dSource !== undefined) source += dSource;
      starts.push([column, dSource === undefined ? -1 : source]);
    }
    starts.forEach(([start, src], i) => {
      const end = starts[i + 1]?.[0] ?? lineLengths[index] ?? start;
      if (src >= 0 && end > start) ranges.push({ line: index, start, end, source: src });
    });
  });
  return ranges;
}

/**
 * The generated code without the ranges of the sources `drop` accepts.
 *
 * @example
 * without(code, ranges, (i) => sources[i].endsWith('attempt.ts'));
 */
export function without(code: string, ranges: readonly Range[], drop: (source: number) => boolean): string {
  const lines = code.split('\n');
  const cut = new Map<number, Range[]>();
  for (const r of ranges) {
    if (!drop(r.source)) continue;
    const onLine = cut.get(r.line);
    if (onLine) onLine.push(r);
    else cut.set(r.line, [r]);
  }
  for (const [line, rs] of cut) {
    let text = lines[line] ?? '';
    // from the end, so earlier columns stay valid
    for (const r of rs.sort((a, b) => b.start - a.start)) text = text.slice(0, r.start) + text.slice(r.end);
    lines[line] = text;
  }
  return lines.join('\n');
}
