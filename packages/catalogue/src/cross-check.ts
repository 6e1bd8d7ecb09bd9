import type { z } from 'zod';
import { measureKey } from './catalogue.js';
import { type PathSegment, show } from './errors.js';
import type {
  AgenciesFileSchema,
  AreasFileSchema,
  Measure,
  MeasureEntry,
  MeasuresFileSchema,
  PriorityAreasFileSchema,
  PsasFileSchema,
  SubMeasureEntry,
  TargetsFileSchema,
  Unit,
} from './schema.js';
import { lineOf, type Parsed, type Problems, type SourceFile } from './source.js';

/** A resolved measure and where in measures.yaml it was written. */
export interface LocatedMeasure {
  measure: Measure;
  at: PathSegment[];
}

interface ParsedCatalogue {
  psas: Parsed<z.infer<typeof PsasFileSchema>>;
  priorityAreas: Parsed<z.infer<typeof PriorityAreasFileSchema>>;
  areas: Parsed<z.infer<typeof AreasFileSchema>>;
  agencies: Parsed<z.infer<typeof AgenciesFileSchema>>;
  measures: Parsed<z.infer<typeof MeasuresFileSchema>>;
  targets: Parsed<z.infer<typeof TargetsFileSchema>>;
  flat: LocatedMeasure[];
}

/** Flags the second and later items that reuse a key. */
function checkUnique(
  file: SourceFile,
  items: { key: string; shown: string; at: PathSegment[] }[],
  what: string,
  problems: Problems,
): void {
  const seen = new Map<string, { shown: string; at: PathSegment[] }>();
  for (const item of items) {
    const first = seen.get(item.key);
    if (first === undefined) {
      seen.set(item.key, item);
      continue;
    }
    const line = lineOf(file, first.at);
    problems.add(file, item.at, `duplicate ${what}: "${first.shown}" is already used${line ? ` on line ${line}` : ''}`);
  }
}

function checkIds(c: ParsedCatalogue, problems: Problems): void {
  const unique = (parsed: { file: SourceFile }, key: string, list: { id: string }[], what: string) =>
    checkUnique(
      parsed.file,
      list.map((x, i) => ({ key: x.id, shown: x.id, at: [key, i, 'id'] })),
      what,
      problems,
    );
  unique(c.psas, 'psas', c.psas.value.psas, 'PSA id');
  unique(c.priorityAreas, 'priorityAreas', c.priorityAreas.value.priorityAreas, 'priority area id');
  unique(c.areas, 'areas', c.areas.value.areas, 'area id');
  unique(c.agencies, 'agencies', c.agencies.value.agencies, 'agency id');
  unique(c.targets, 'targets', c.targets.value.targets, 'target id');
  // Ids and aliases share one namespace, compared as measureById compares them.
  checkUnique(
    c.measures.file,
    c.flat.flatMap(({ measure, at }) => [
      { key: measureKey(measure.id), shown: measure.id, at: [...at, 'id'] },
      ...measure.aliases.map((alias, k) => ({ key: measureKey(alias), shown: alias, at: [...at, 'aliases', k] })),
    ]),
    'measure id or alias',
    problems,
  );
}

function checkRefs(
  problems: Problems,
  file: SourceFile,
  at: PathSegment[],
  ids: string[] | undefined,
  known: ReadonlySet<string>,
  what: string,
): void {
  ids?.forEach((id, k) => {
    if (!known.has(id)) problems.add(file, [...at, k], `unknown ${what} "${id}"`);
  });
}

/** Agencies report, and partnerships are made of, boroughs only: the partnership is an aggregate. */
function checkBoroughs(c: ParsedCatalogue, problems: Problems, file: SourceFile, at: PathSegment[], ids: string[]): void {
  ids.forEach((id, k) => {
    const area = c.areas.value.areas.find((a) => a.id === id);
    if (area === undefined) problems.add(file, [...at, k], `unknown area "${id}"`);
    else if (area.kind !== 'borough') problems.add(file, [...at, k], `"${id}" is an aggregate, not a reporting area`);
  });
}

function checkAreas(c: ParsedCatalogue, problems: Problems): void {
  const { file, value } = c.areas;
  value.areas.forEach((area, i) => {
    const seen = new Set<string>();
    area.populations.forEach((p, k) => {
      const key = `${p.base} ${p.year}`;
      if (seen.has(key)) problems.add(file, ['areas', i, 'populations', k], `a second ${p.base} figure for ${p.year}`);
      seen.add(key);
    });
    if (area.kind !== 'partnership') return;
    checkBoroughs(c, problems, file, ['areas', i, 'members'], area.members);
    // The plan's combined figure is the check on the borough split.
    area.populations.forEach((stated, k) => {
      if (stated.projected) return;
      const parts = area.members.map(
        (m) =>
          value.areas.find((a) => a.id === m)?.populations.find((p) => p.base === stated.base && p.year === stated.year)
            ?.value,
      );
      if (parts.some((v) => v === undefined)) return;
      const sum = (parts as number[]).reduce((a, b) => a + b, 0);
      if (sum !== stated.value) {
        problems.add(
          file,
          ['areas', i, 'populations', k, 'value'],
          `the boroughs' ${stated.base} figures for ${stated.year} sum to ${sum}, not ${stated.value}`,
        );
      }
    });
  });
}

function isRate(unit: Unit): boolean {
  return unit === 'rate_per_1000' || unit === 'rate_per_100000';
}

function checkMeasures(c: ParsedCatalogue, problems: Problems): void {
  const { file } = c.measures;
  const ids = (list: { id: string }[]) => new Set(list.map((x) => x.id));
  const psaIds = ids(c.psas.value.psas);
  const priorityAreaIds = ids(c.priorityAreas.value.priorityAreas);
  const agencyIds = ids(c.agencies.value.agencies);

  // References are checked where they are written (a group or its sub-measure), so an
  // inherited fault is reported once, on the group.
  c.measures.value.measures.forEach((entry, i) => {
    const written: [MeasureEntry | SubMeasureEntry, PathSegment[]][] = [
      [entry, ['measures', i]],
      ...(entry.subMeasures ?? []).map((s, j): [SubMeasureEntry, PathSegment[]] => [s, ['measures', i, 'subMeasures', j]]),
    ];
    for (const [e, at] of written) {
      checkRefs(problems, file, [...at, 'owners'], e.owners, agencyIds, 'agency');
      checkRefs(problems, file, [...at, 'priorityAreas'], e.priorityAreas, priorityAreaIds, 'priority area');
      checkRefs(problems, file, [...at, 'psas'], e.psas, psaIds, 'PSA');
      checkRefs(problems, file, [...at, 'nationalPsas'], e.nationalPsas, psaIds, 'PSA');
    }
  });

  const psasOf = new Map(c.priorityAreas.value.priorityAreas.map((pa) => [pa.id, pa.psas]));
  const faultsOf = (m: Measure): { field: PathSegment[]; reason: string }[] => {
    const faults: { field: PathSegment[]; reason: string }[] = [];
    if (isRate(m.unit) && m.populationBase === null) {
      faults.push({ field: ['populationBase'], reason: `missing: a ${m.unit} measure needs the population it is a rate of` });
    }
    if (!isRate(m.unit) && m.populationBase !== null) {
      faults.push({ field: ['populationBase'], reason: `a ${m.unit} measure is not a rate of a population` });
    }
    const planPsas = new Set(m.priorityAreas.flatMap((pa) => psasOf.get(pa) ?? []));
    m.psas.forEach((psa, k) => {
      if (psaIds.has(psa) && !planPsas.has(psa)) {
        faults.push({ field: ['psas', k], reason: `the plan does not list ${psa} under any of this measure's priority areas` });
      }
    });
    return faults;
  };
  // A sub-measure that merely inherits its group's fault is not reported again.
  const groupFaults = new Map<string, string[]>();
  for (const { measure, at } of c.flat) {
    const inherited = measure.parent === null ? [] : (groupFaults.get(measure.parent) ?? []);
    const faults = faultsOf(measure);
    groupFaults.set(
      measure.id,
      faults.map((f) => f.reason),
    );
    for (const { field, reason } of faults) {
      if (!inherited.includes(reason)) problems.add(file, [...at, ...field], reason);
    }
  }
}

function checkTargets(c: ParsedCatalogue, problems: Problems): void {
  const { file } = c.targets;
  const measures = new Map(c.flat.map(({ measure }) => [measure.id, measure]));
  const byAlias = new Map(c.flat.flatMap(({ measure }) => measure.aliases.map((a) => [measureKey(a), measure.id])));
  const areaIds = new Set(c.areas.value.areas.map((a) => a.id));
  c.targets.value.targets.forEach((target, i) => {
    const at = ['targets', i];
    if (!areaIds.has(target.area)) problems.add(file, [...at, 'area'], `unknown area "${target.area}"`);
    const measure = measures.get(target.measure);
    if (measure === undefined) {
      const canonical = byAlias.get(measureKey(target.measure));
      problems.add(
        file,
        [...at, 'measure'],
        canonical === undefined
          ? `unknown measure "${target.measure}"`
          : `"${target.measure}" is an alias: write the measure's id "${canonical}"`,
      );
      return;
    }
    if (target.kind === 'direction') {
      const wanted = measure.polarity === 'down' ? 'reduce' : 'increase';
      if (target.direction !== wanted) {
        problems.add(
          file,
          [...at, 'direction'],
          `${measure.id} has polarity "${measure.polarity}", so its target direction is "${wanted}", got ${show(target.direction)}`,
        );
      }
      return;
    }
    const { min, max } = measure.validRange;
    if ((min !== undefined && target.value < min) || (max !== undefined && target.value > max)) {
      problems.add(
        file,
        [...at, 'value'],
        `${target.value} is outside ${measure.id}'s valid range ${min ?? '-inf'}..${max ?? 'inf'} (${measure.unit})`,
      );
    }
  });
}

/** Everything that needs more than one entry or file to judge. */
export function crossCheck(c: ParsedCatalogue, problems: Problems): void {
  checkIds(c, problems);
  const psaIds = new Set(c.psas.value.psas.map((p) => p.id));
  c.priorityAreas.value.priorityAreas.forEach((pa, i) => {
    checkRefs(problems, c.priorityAreas.file, ['priorityAreas', i, 'psas'], pa.psas, psaIds, 'PSA');
  });
  checkAreas(c, problems);
  c.agencies.value.agencies.forEach((agency, i) => {
    checkBoroughs(c, problems, c.agencies.file, ['agencies', i, 'areas'], agency.areas);
  });
  checkMeasures(c, problems);
  checkTargets(c, problems);
}
