import type { z } from 'zod';

/** One thing wrong with the catalogue, located well enough for a data officer to fix it. */
export interface CatalogueProblem {
  /** Relative to the repository root where the file lies inside it. */
  readonly file: string;
  /** e.g. `measure "NI15"`, or `target at index 3` when the entry has no usable id. */
  readonly entry?: string;
  /** Path inside the entry, e.g. `polarity` or `populations[1].value`. */
  readonly field?: string;
  readonly reason: string;
  readonly line?: number;
}

export function formatProblem(p: CatalogueProblem): string {
  const where = [p.entry, p.field === undefined ? undefined : `field "${p.field}"`]
    .filter((part) => part !== undefined)
    .join(' ');
  const line = p.line === undefined ? '' : ` (line ${p.line})`;
  return `${p.file}: ${where === '' ? '' : `${where}: `}${p.reason}${line}`;
}

/** Thrown by loadCatalogue: one error listing every problem found, so start-up stops once. */
export class CatalogueError extends Error {
  override readonly name = 'CatalogueError';
  readonly problems: readonly CatalogueProblem[];

  constructor(problems: readonly CatalogueProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`The measure catalogue is broken (${count}):\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.problems = problems;
  }
}

export type PathSegment = string | number;

/** Top-level lists and the label of their entries in messages. */
const ENTRY_LABELS: Readonly<Record<string, string>> = {
  measures: 'measure',
  subMeasures: 'sub-measure',
  targets: 'target',
  areas: 'area',
  agencies: 'agency',
  priorityAreas: 'priority area',
  psas: 'PSA',
};

function formatPath(path: readonly PathSegment[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function child(node: unknown, segment: PathSegment): unknown {
  return typeof node === 'object' && node !== null ? (node as Record<PathSegment, unknown>)[segment] : undefined;
}

/**
 * Splits a path into the entry it belongs to (the innermost labelled list element with
 * an id, else the top-level element by index) and the field within it.
 */
export function locate(data: unknown, path: readonly PathSegment[]): { entry?: string; field?: string } {
  let entry: string | undefined;
  let fieldStart = 0;
  let node = data;
  path.forEach((segment, i) => {
    const previous = path[i - 1];
    const label = typeof previous === 'string' ? ENTRY_LABELS[previous] : undefined;
    if (typeof segment === 'number' && label !== undefined) {
      const id = child(child(node, segment), 'id');
      if (typeof id === 'string' && id !== '') {
        entry = `${label} "${id}"`;
        fieldStart = i + 1;
      } else if (entry === undefined) {
        entry = `${label} at index ${segment}`;
        fieldStart = i + 1;
      }
    }
    node = child(node, segment);
  });
  const field = path.slice(fieldStart);
  return { ...(entry === undefined ? {} : { entry }), ...(field.length === 0 ? {} : { field: formatPath(field) }) };
}

export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

function oneOf(values: readonly unknown[]): string {
  const shown = values.map(show);
  if (shown.length <= 2) return shown.join(' or ');
  return `one of ${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}`;
}

/** YAML has no undefined, so an undefined input is a field the entry does not have. */
function expected(what: string, input: unknown): string {
  return input === undefined ? `missing (expected ${what})` : `expected ${what}, got ${show(input)}`;
}

/** A zod issue in the partnership's words, with the path it applies to. */
export function describeIssue(issue: z.core.$ZodIssue): { path: PathSegment[]; reason: string }[] {
  const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
  const input = 'input' in issue ? issue.input : undefined;
  switch (issue.code) {
    case 'invalid_value':
      return [{ path, reason: expected(oneOf(issue.values), input) }];
    case 'invalid_union':
      if ('options' in issue && issue.discriminator !== undefined && issue.options !== undefined) {
        return [{ path, reason: expected(oneOf(issue.options), child(input, issue.discriminator)) }];
      }
      return [{ path, reason: issue.message }];
    case 'invalid_type':
      return [{ path, reason: expected(issue.expected, input) }];
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: [...path, key], reason: 'unknown field' }));
    default:
      // Refinements see the whole object, whose value says nothing useful here.
      return [{ path, reason: typeof input === 'object' || input === undefined ? issue.message : `${issue.message}, got ${show(input)}` }];
  }
}
