import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Document, isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { type CatalogueProblem, describeIssue, locate, type PathSegment } from './errors.js';

// This file sits at packages/catalogue/src/, three levels below the repository root.
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A catalogue file as read, kept so problems can name the entry and line they come from. */
export interface SourceFile {
  display: string;
  data: unknown;
  doc: Document;
  lines: LineCounter;
}

/** A file that passed its schema. */
export interface Parsed<T> {
  file: SourceFile;
  value: T;
}

/** Line of the deepest node on the path that exists (the entry itself when a field is missing). */
export function lineOf(file: SourceFile, at: readonly PathSegment[]): number | undefined {
  for (let n = at.length; n >= 0; n--) {
    const node = file.doc.getIn(at.slice(0, n), true);
    if (isNode(node) && node.range) return file.lines.linePos(node.range[0]).line;
  }
  return undefined;
}

export class Problems {
  readonly list: CatalogueProblem[] = [];

  add(file: SourceFile, at: readonly PathSegment[], reason: string): void {
    const line = lineOf(file, at);
    this.list.push({ file: file.display, ...locate(file.data, at), reason, ...(line === undefined ? {} : { line }) });
  }
}

function displayPath(file: string): string {
  const relative = path.relative(REPO_ROOT, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative.split(path.sep).join('/');
}

function readSource(file: string, problems: Problems): SourceFile | undefined {
  const display = displayPath(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    problems.list.push({ file: display, reason });
    return undefined;
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const [first, ...rest] = doc.errors;
  if (first !== undefined) {
    // Later errors are mostly the parser losing its way after the first.
    const more = rest.length === 0 ? '' : ` (and ${rest.length} more after it)`;
    const line = lines.linePos(first.pos[0]).line;
    problems.list.push({ file: display, reason: `YAML syntax error: ${first.message}${more}`, line });
    return undefined;
  }
  return { display, data: doc.toJS(), doc, lines };
}

/** Reads a YAML file and validates it; every fault goes to `problems`. */
export function parseSource<S extends z.ZodType>(
  file: string,
  schema: S,
  problems: Problems,
): Parsed<z.infer<S>> | undefined {
  const source = readSource(file, problems);
  if (source === undefined) return undefined;
  const result = schema.safeParse(source.data, { reportInput: true });
  if (result.success) return { file: source, value: result.data };
  for (const issue of result.error.issues) {
    for (const { path: at, reason } of describeIssue(issue)) problems.add(source, at, reason);
  }
  return undefined;
}
