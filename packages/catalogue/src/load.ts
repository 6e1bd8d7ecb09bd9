import path from 'node:path';
import { buildCatalogue, type Catalogue } from './catalogue.js';
import { crossCheck, type LocatedMeasure } from './cross-check.js';
import { CatalogueError } from './errors.js';
import {
  AgenciesFileSchema,
  AreasFileSchema,
  type Measure,
  type MeasureDefaults,
  type MeasureEntry,
  MeasuresFileSchema,
  PriorityAreasFileSchema,
  PsasFileSchema,
  type SubMeasureEntry,
  TargetsFileSchema,
  type Unit,
  type ValidRange,
} from './schema.js';
import { Problems, parseSource, REPO_ROOT } from './source.js';

/** data/catalogue/ of this repository, wherever the process was started from. */
export const defaultCatalogueDir = path.join(REPO_ROOT, 'data', 'catalogue');

export const CATALOGUE_FILES = {
  psas: 'psas.yaml',
  priorityAreas: 'priority-areas.yaml',
  areas: 'areas.yaml',
  agencies: 'agencies.yaml',
  measures: 'measures.yaml',
  targets: 'targets.yaml',
} as const;

function defaultRange(unit: Unit): ValidRange {
  return unit === 'percent' ? { min: 0, max: 100 } : { min: 0 };
}

/** A sub-measure takes every field of its group it does not state, except the group's aliases. */
function inherit(parent: MeasureEntry, sub: SubMeasureEntry): MeasureEntry {
  const { subMeasures, aliases, ...inherited } = parent;
  const stated = Object.fromEntries(Object.entries(sub).filter(([, v]) => v !== undefined));
  return { ...inherited, ...stated };
}

function resolveMeasure(
  entry: MeasureEntry,
  defaults: MeasureDefaults,
  parent: string | null,
  subMeasures: string[],
): Measure {
  const { subMeasures: _entries, ...fields } = entry;
  return {
    ...fields,
    populationBase: entry.populationBase ?? null,
    tolerance: entry.tolerance ?? defaults.tolerance,
    rag: entry.rag ?? defaults.rag,
    validRange: entry.validRange ?? defaultRange(entry.unit),
    aliases: entry.aliases ?? [],
    parent,
    subMeasures,
  };
}

/** Each group followed by its sub-measures, with where in measures.yaml each was written. */
function flattenMeasures(entries: MeasureEntry[], defaults: MeasureDefaults): LocatedMeasure[] {
  return entries.flatMap((entry, i) => {
    const subs = entry.subMeasures ?? [];
    const group = resolveMeasure(
      entry,
      defaults,
      null,
      subs.map((s) => s.id),
    );
    return [
      { measure: group, at: ['measures', i] },
      ...subs.map((sub, j) => ({
        measure: resolveMeasure(inherit(entry, sub), defaults, entry.id, []),
        at: ['measures', i, 'subMeasures', j],
      })),
    ];
  });
}

/**
 * Reads, validates and cross-checks the catalogue in `dir`. Throws one CatalogueError listing
 * every problem found, so a broken catalogue stops start-up with a single clear message.
 */
export function loadCatalogue(dir: string = defaultCatalogueDir): Catalogue {
  const problems = new Problems();
  const file = (name: string) => path.join(dir, name);
  const psas = parseSource(file(CATALOGUE_FILES.psas), PsasFileSchema, problems);
  const priorityAreas = parseSource(file(CATALOGUE_FILES.priorityAreas), PriorityAreasFileSchema, problems);
  const areas = parseSource(file(CATALOGUE_FILES.areas), AreasFileSchema, problems);
  const agencies = parseSource(file(CATALOGUE_FILES.agencies), AgenciesFileSchema, problems);
  const measures = parseSource(file(CATALOGUE_FILES.measures), MeasuresFileSchema, problems);
  const targets = parseSource(file(CATALOGUE_FILES.targets), TargetsFileSchema, problems);
  // Cross-references are only checked once every file has its shape, so one typo in a
  // file does not show up again as a dozen unknown references.
  if (!psas || !priorityAreas || !areas || !agencies || !measures || !targets) {
    throw new CatalogueError(problems.list);
  }
  const flat = flattenMeasures(measures.value.measures, measures.value.defaults);
  crossCheck({ psas, priorityAreas, areas, agencies, measures, targets, flat }, problems);
  if (problems.list.length > 0) throw new CatalogueError(problems.list);

  return buildCatalogue({
    dir,
    defaults: measures.value.defaults,
    measures: flat.map((m) => m.measure),
    targets: targets.value.targets,
    areas: areas.value.areas,
    agencies: agencies.value.agencies,
    priorityAreas: priorityAreas.value.priorityAreas,
    psas: psas.value.psas,
  });
}
