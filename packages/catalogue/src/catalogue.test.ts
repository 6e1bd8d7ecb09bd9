import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultCatalogueDir, loadCatalogue } from './index.js';

const catalogue = loadCatalogue();

const measure = (id: string) => {
  const found = catalogue.measureById(id)?.measure;
  if (found === undefined) throw new Error(`no measure ${id}`);
  return found;
};

const ACQ = 'acquisitive-crime';
const ASB = 'anti-social-behaviour';
const PC = 'public-confidence';
const SUB = 'substance-misuse';
const VC = 'violent-crime';
const YP = 'young-people';

// Transcribed by hand from the measures table of shared/spec/domain.md.
const SPEC_TABLE: [id: string, unit: string, polarity: string, priorityAreas: string[]][] = [
  ['SAC', 'rate_per_1000', 'down', [ACQ]],
  ['NI15', 'rate_per_1000', 'down', [VC]],
  ['NI21', 'percent', 'up', [ACQ, ASB, PC, VC, YP]],
  ['NI32', 'percent', 'down', [VC]],
  ['DA_REPEAT', 'percent', 'down', [VC]],
  ['NI39', 'rate_per_100000', 'down', [SUB]],
  ['NI40', 'count', 'up', [SUB]],
  ['NI195', 'percent', 'down', [ASB]],
  ['NI110', 'percent', 'up', [YP]],
  ['NI111', 'rate_per_100000', 'down', [YP]],
  ['NI117', 'percent', 'down', [YP]],
  ['NI3', 'percent', 'up', [PC]],
  ['NTE_VIOLENCE', 'count', 'down', [SUB]],
  ['NTE_SHARE', 'percent', 'down', [VC]],
  ['ASB_HIGH', 'percent', 'down', [ASB, YP]],
  ['ASB_TYPES', 'percent', 'down', [ASB, YP]],
  ['WORRY_BURGLARY', 'percent', 'down', [ACQ]],
  ['WORRY_CAR', 'percent', 'down', [ACQ]],
  ['WORRY_VIOLENCE', 'percent', 'down', [VC]],
  ['SAFE_OVERALL', 'percent', 'up', [PC]],
  ['SAFE_DAY', 'percent', 'up', [PC]],
  ['SAFE_NIGHT', 'percent', 'up', [PC]],
  ['SAFE_HOME_NIGHT', 'percent', 'up', [PC]],
];

describe('the shipped catalogue', () => {
  it('is found from the package itself, not the working directory', () => {
    expect(path.isAbsolute(defaultCatalogueDir)).toBe(true);
    expect(defaultCatalogueDir.split(path.sep).slice(-2)).toEqual(['data', 'catalogue']);
    expect(catalogue.dir).toBe(defaultCatalogueDir);
  });

  it.each(SPEC_TABLE)('holds %s as the spec lists it', (id, unit, polarity, priorityAreas) => {
    const m = measure(id);
    expect(m.id).toBe(id);
    expect(m.unit).toBe(unit);
    expect(m.polarity).toBe(polarity);
    expect([...m.priorityAreas].sort()).toEqual([...priorityAreas].sort());
  });

  it('has the six priority areas of the plan, in its alphabetical order', () => {
    expect(catalogue.priorityAreas.map((pa) => pa.name)).toEqual([
      'Acquisitive Crime',
      'Anti-Social Behaviour',
      'Public Confidence',
      'Substance Misuse',
      'Violent Crime',
      'Young People',
    ]);
    expect(catalogue.priorityArea(VC)?.psas).toEqual(['PSA23', 'PSA25']);
    expect(catalogue.priorityArea(YP)?.psas).toEqual(['PSA13']);
  });

  it('describes serious acquisitive crime as a police count turned into a rate per 1,000', () => {
    expect(measure('SAC')).toMatchObject({
      unit: 'rate_per_1000',
      method: 'count',
      populationBase: 'all_ages',
      polarity: 'down',
      frequency: 'monthly',
      owners: ['north-kent-police'],
      priorityAreas: [ACQ],
      psas: ['PSA23'],
      kentAgreement: false,
      nationalIndicator: 'NI 16',
    });
  });

  it('rates NI 111 per 100,000 aged 10-17, and has that population for both boroughs', () => {
    expect(measure('NI111')).toMatchObject({ unit: 'rate_per_100000', method: 'count', populationBase: 'aged_10_17' });
    expect(catalogue.population('DBC', 'aged_10_17', 2008)?.illustrative).toBe(true);
    expect(catalogue.population('GBC', 'aged_10_17', 2008)?.illustrative).toBe(true);
  });

  it('gives surveys and ratios no population', () => {
    expect(measure('SAFE_NIGHT')).toMatchObject({ method: 'survey', populationBase: null });
    expect(measure('DA_REPEAT')).toMatchObject({ method: 'ratio', populationBase: null });
  });

  it('reads the plan\'s "NI 95" as NI 195 and says an alias was used', () => {
    const byAlias = catalogue.measureById('NI95');
    expect(byAlias?.measure.id).toBe('NI195');
    expect(byAlias?.viaAlias).toBe(true);
    expect(byAlias?.measure.notes).toMatch(/NI 95/);
    expect(catalogue.measureById('NI195')?.viaAlias).toBe(false);
  });

  it('matches ids as typed into a spreadsheet, ignoring case and spaces', () => {
    expect(catalogue.measureById('ni 195')).toMatchObject({ measure: { id: 'NI195' }, viaAlias: false });
    expect(catalogue.measureById('NI 03')).toMatchObject({ measure: { id: 'NI3' }, viaAlias: true });
    expect(catalogue.measureById('NI999')).toBeUndefined();
  });

  it('splits NI 195 into litter, detritus, graffiti and fly-posting, each inheriting the group', () => {
    const subs = catalogue.subMeasuresOf('NI195');
    expect(subs.map((m) => m.id)).toEqual(['NI195a', 'NI195b', 'NI195c', 'NI195d']);
    expect(measure('NI195').subMeasures).toEqual(['NI195a', 'NI195b', 'NI195c', 'NI195d']);
    for (const sub of subs) {
      expect(sub).toMatchObject({
        parent: 'NI195',
        unit: 'percent',
        polarity: 'down',
        frequency: 'tranche',
        kentAgreement: true,
        owners: ['dartford-psu', 'gravesham-psu'],
        priorityAreas: [ASB],
        subMeasures: [],
      });
    }
    expect(catalogue.measureById('NI95c')).toMatchObject({ measure: { id: 'NI195c' }, viaAlias: true });
  });

  it('has one ASB type sub-measure for each of the seven perception strands', () => {
    const types = catalogue.subMeasuresOf('ASB_TYPES');
    expect(types).toHaveLength(7);
    expect(types.map((m) => m.name).join(' | ')).toMatch(
      /neighbours.*teenagers.*litter.*graffiti.*drugs.*drunk.*cars/i,
    );
  });

  it('keeps the plan\'s PSA for the Young People indicators and records PSA 14 as their national home', () => {
    for (const id of ['NI110', 'NI111', 'NI117']) {
      expect(measure(id)).toMatchObject({ psas: ['PSA13'], nationalPsas: ['PSA14'] });
    }
    expect(catalogue.measuresInPsa('PSA14')).toEqual([]);
    expect(catalogue.psa('PSA14')?.title).toMatch(/path to success/);
  });

  it('marks exactly the plan\'s Kent Agreement indicators (and NI 195\'s parts) for the Kent Partnership feed', () => {
    const ka2 = catalogue.measures.filter((m) => m.kentAgreement && m.parent === null).map((m) => m.id);
    expect(ka2.sort()).toEqual(['NI110', 'NI111', 'NI117', 'NI15', 'NI195', 'NI21', 'NI3', 'NI32', 'NI39', 'NI40']);
  });

  it('holds the police targets: 13.7 per 1,000, 22% and 15% for the partnership in 2008/09', () => {
    const expected = { SAC: 13.7, DA_REPEAT: 22, ASB_HIGH: 15 };
    for (const [id, value] of Object.entries(expected)) {
      expect(catalogue.targetsFor(id)).toEqual([
        expect.objectContaining({
          kind: 'value',
          value,
          area: 'DGCDRP',
          source: 'police_target',
          period: { start: '2008-04-01', end: '2009-03-31' },
          version: 1,
        }),
      ]);
      expect(catalogue.targetsFor(id)[0]).not.toHaveProperty('baseline');
    }
  });

  it('holds the direction-only targets, agreeing with each measure\'s polarity', () => {
    const directions = catalogue.targets.filter((t) => t.kind === 'direction');
    expect(directions.map((t) => t.measure).sort()).toEqual(
      [
        'ASB_TYPES',
        'NTE_SHARE',
        'NTE_VIOLENCE',
        'SAFE_DAY',
        'SAFE_HOME_NIGHT',
        'SAFE_NIGHT',
        'SAFE_OVERALL',
        'WORRY_BURGLARY',
        'WORRY_CAR',
        'WORRY_VIOLENCE',
      ].sort(),
    );
    for (const t of directions) {
      expect(t.direction).toBe(measure(t.measure).polarity === 'down' ? 'reduce' : 'increase');
    }
  });

  it('applies a group\'s target to a sub-measure that has none of its own', () => {
    expect(catalogue.targetsFor('ASB_TYPES_DRUNK').map((t) => t.id)).toEqual(['ASB_TYPES-2008-09']);
    expect(catalogue.targetsFor('ASB_TYPES_DRUNK', 'DBC')).toEqual([]);
  });

  it('sets no target for the Kent Agreement indicators, which the plan leaves without figures', () => {
    for (const m of catalogue.measures.filter((x) => x.kentAgreement)) {
      expect(catalogue.targetsFor(m.id)).toEqual([]);
    }
  });

  it('gives every measure a tolerance, RAG options and a valid range', () => {
    expect(measure('SAC')).toMatchObject({
      tolerance: { type: 'relative', value: 0.05 },
      rag: { redOnlyIfSignificant: false },
      validRange: { min: 0 },
    });
    expect(measure('ASB_HIGH').validRange).toEqual({ min: 0, max: 100 });
  });

  it('adds the partnership up from its boroughs, whose illustrative split sums to the plan\'s 191,800', () => {
    const dbc = catalogue.population('DBC', 'all_ages', 2008);
    const gbc = catalogue.population('GBC', 'all_ages', 2008);
    expect(dbc?.illustrative && gbc?.illustrative).toBe(true);
    expect(catalogue.population('DGCDRP', 'all_ages', 2008)).toMatchObject({ value: 191800, illustrative: true });
    expect(catalogue.population('DGCDRP', 'all_ages', 2009)).toBeUndefined();
    expect(catalogue.area('DGCDRP')).toMatchObject({ kind: 'partnership', members: ['DBC', 'GBC'] });
  });

  it('lets each borough council report only its own borough', () => {
    expect(catalogue.agency('dartford-psu')?.areas).toEqual(['DBC']);
    expect(catalogue.agency('gravesham-psu')?.areas).toEqual(['GBC']);
    expect(catalogue.measuresOwnedBy('dartford-psu').map((m) => m.id)).toEqual([
      'NI195',
      'NI195a',
      'NI195b',
      'NI195c',
      'NI195d',
    ]);
  });

  it('lists a priority area\'s measures, NI 21 among them wherever the plan lists it', () => {
    for (const pa of catalogue.priorityAreas) {
      const ids = catalogue.measuresInPriorityArea(pa.id).map((m) => m.id);
      expect(ids.includes('NI21')).toBe(pa.id !== SUB);
    }
  });

  it('cannot be changed once loaded', () => {
    expect(() => {
      (measure('SAC') as { polarity: string }).polarity = 'up';
    }).toThrow(TypeError);
    expect(() => {
      (catalogue.measures as unknown[]).push({});
    }).toThrow(TypeError);
    expect(measure('SAC').polarity).toBe('down');
  });
});
