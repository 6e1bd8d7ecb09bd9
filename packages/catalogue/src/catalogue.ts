import type {
  Agency,
  Area,
  Measure,
  MeasureDefaults,
  PopulationBase,
  PriorityArea,
  Psa,
  Target,
} from './schema.js';

/** What measureById found: `viaAlias` is true when the caller wrote an alias (e.g. NI95). */
export interface MeasureLookup {
  readonly measure: Measure;
  readonly viaAlias: boolean;
  /** The id or alias as the caller wrote it. */
  readonly requested: string;
}

export interface PopulationFigure {
  readonly area: string;
  readonly base: PopulationBase;
  readonly year: number;
  readonly value: number;
  /** True if this figure, or any borough figure summed into it, is illustrative. */
  readonly illustrative: boolean;
  readonly projected: boolean;
}

/** The validated, immutable catalogue. Lists keep the order of the files. */
export interface Catalogue {
  readonly dir: string;
  readonly defaults: MeasureDefaults;
  /** Flattened: each group is followed by its sub-measures. */
  readonly measures: readonly Measure[];
  readonly targets: readonly Target[];
  readonly areas: readonly Area[];
  readonly agencies: readonly Agency[];
  readonly priorityAreas: readonly PriorityArea[];
  readonly psas: readonly Psa[];
  /** By id or alias, ignoring case and spaces ("NI 95", "ni195a"). */
  measureById(idOrAlias: string): MeasureLookup | undefined;
  area(id: string): Area | undefined;
  agency(id: string): Agency | undefined;
  priorityArea(id: string): PriorityArea | undefined;
  psa(id: string): Psa | undefined;
  subMeasuresOf(measureId: string): readonly Measure[];
  measuresInPriorityArea(priorityAreaId: string): readonly Measure[];
  /** By the plan's PSA mapping (Measure.psas), not the national one. */
  measuresInPsa(psaId: string): readonly Measure[];
  measuresOwnedBy(agencyId: string): readonly Measure[];
  /**
   * Targets set on the measure (optionally for one area); a sub-measure without targets of
   * its own takes its group's (the plan's "reduce" for ASB types applies to every type).
   */
  targetsFor(measureId: string, areaId?: string): readonly Target[];
  /** A borough's own figure; the partnership's is the sum of its boroughs' (undefined if one is missing). */
  population(areaId: string, base: PopulationBase, year: number): PopulationFigure | undefined;
}

/** Measure ids and aliases match regardless of case and spacing, as typed into a return. */
export function measureKey(idOrAlias: string): string {
  return idOrAlias.replace(/\s+/g, '').toUpperCase();
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function byId<T extends { id: string }>(items: readonly T[]): ReadonlyMap<string, T> {
  return new Map(items.map((item) => [item.id, item]));
}

export interface CatalogueContents {
  dir: string;
  defaults: MeasureDefaults;
  measures: Measure[];
  targets: Target[];
  areas: Area[];
  agencies: Agency[];
  priorityAreas: PriorityArea[];
  psas: Psa[];
}

/** Wraps contents that have already passed every check. */
export function buildCatalogue(contents: CatalogueContents): Catalogue {
  const data = deepFreeze(contents);
  const measures = byId(data.measures);
  const aliases = new Map<string, Measure>();
  for (const m of data.measures) {
    aliases.set(measureKey(m.id), m);
    for (const alias of m.aliases) aliases.set(measureKey(alias), m);
  }
  const areas = byId(data.areas);
  const agencies = byId(data.agencies);
  const priorityAreas = byId(data.priorityAreas);
  const psas = byId(data.psas);
  const select = (keep: (m: Measure) => boolean) => Object.freeze(data.measures.filter(keep));

  const ownTargets = (measureId: string, areaId?: string) =>
    data.targets.filter((t) => t.measure === measureId && (areaId === undefined || t.area === areaId));

  const boroughPopulation = (areaId: string, base: PopulationBase, year: number): PopulationFigure | undefined => {
    const area = areas.get(areaId);
    const figure = area?.populations.find((p) => p.base === base && p.year === year);
    if (figure === undefined) return undefined;
    return { area: areaId, base, year, value: figure.value, illustrative: figure.illustrative, projected: figure.projected };
  };

  return Object.freeze({
    ...data,
    measureById(idOrAlias: string): MeasureLookup | undefined {
      // An id written exactly, as nearly every row of a return has it, needs no normalising.
      const exact = measures.get(idOrAlias);
      if (exact !== undefined) return { measure: exact, viaAlias: false, requested: idOrAlias };
      const key = measureKey(idOrAlias);
      const measure = aliases.get(key);
      if (measure === undefined) return undefined;
      return { measure, viaAlias: measureKey(measure.id) !== key, requested: idOrAlias };
    },
    area: (id: string) => areas.get(id),
    agency: (id: string) => agencies.get(id),
    priorityArea: (id: string) => priorityAreas.get(id),
    psa: (id: string) => psas.get(id),
    subMeasuresOf: (measureId: string) => select((m) => m.parent === measureId),
    measuresInPriorityArea: (id: string) => select((m) => m.priorityAreas.includes(id)),
    measuresInPsa: (id: string) => select((m) => m.psas.includes(id)),
    measuresOwnedBy: (id: string) => select((m) => m.owners.includes(id)),
    targetsFor(measureId: string, areaId?: string): readonly Target[] {
      const own = ownTargets(measureId, areaId);
      const parent = measures.get(measureId)?.parent;
      return Object.freeze(own.length === 0 && parent ? ownTargets(parent, areaId) : own);
    },
    population(areaId: string, base: PopulationBase, year: number): PopulationFigure | undefined {
      const area = areas.get(areaId);
      if (area?.kind !== 'partnership') return boroughPopulation(areaId, base, year);
      const parts = area.members.map((member) => boroughPopulation(member, base, year));
      if (parts.some((p) => p === undefined)) return undefined;
      const figures = parts as PopulationFigure[];
      return {
        area: areaId,
        base,
        year,
        value: figures.reduce((sum, p) => sum + p.value, 0),
        illustrative: figures.some((p) => p.illustrative),
        projected: figures.some((p) => p.projected),
      };
    },
  });
}
