// Compile errors raised by every stage-0 phase. They carry a byte span; the driver turns
// them into `file:line:col: message` plus the source line and a caret (docs/tools.md).

import type { Span } from './ast.js';

export class CompileError extends Error {
  constructor(message: string, readonly span: Span | null) {
    super(message);
    this.name = 'CompileError';
  }
}

/** 1-based line and 0-based byte column of `offset` in `src`. LF, CR and CRLF each end a line. */
export function lineColumn(src: Uint8Array, offset: number): { line: number; column: number; lineStart: number; lineEnd: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < src.length; i++) {
    const c = src[i];
    if (c === 10 || c === 13) {
      if (c === 13 && src[i + 1] === 10) i++;
      line++;
      lineStart = i + 1;
    }
  }
  let lineEnd = lineStart;
  while (lineEnd < src.length && src[lineEnd] !== 10 && src[lineEnd] !== 13) lineEnd++;
  return { line, column: offset - lineStart, lineStart, lineEnd };
}

/** Formats an error as `path:line:col: message`, the source line, and a caret line under the span. */
export function formatCompileError(path: string, src: Uint8Array | null, err: CompileError, kind = 'error'): string {
  if (err.span === null || src === null) return `${path}: ${kind}: ${err.message}\n`;
  const { line, column, lineStart, lineEnd } = lineColumn(src, err.span.offset);
  const text = Buffer.from(src.subarray(lineStart, lineEnd)).toString('latin1');
  const width = Math.max(1, Math.min(err.span.length, lineEnd - err.span.offset));
  const caret = text.slice(0, column).replace(/[^\t]/g, ' ') + '^' + '~'.repeat(width - 1);
  return `${path}:${line}:${column + 1}: ${kind}: ${err.message}\n${text}\n${caret}\n`;
}
