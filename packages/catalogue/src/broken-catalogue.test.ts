import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isMap, isSeq, parseDocument, type YAMLMap } from 'yaml';
import { CatalogueError, type CatalogueProblem, defaultCatalogueDir, loadCatalogue } from './index.js';

// Inside the repository (and git-ignored), so problems name files relative to it.
const SCRATCH = fileURLToPath(new URL('../.test-results/', import.meta.url));
const SCRATCH_FROM_REPO = 'packages/catalogue/.test-results';

afterAll(() => rmSync(SCRATCH, { recursive: true, force: true }));

type Edit = (text: string) => string;

/** A copy of the shipped catalogue with the given files edited. */
function brokenCopy(edits: Record<string, Edit>): string {
  mkdirSync(SCRATCH, { recursive: true });
  const dir = mkdtempSync(path.join(SCRATCH, 'catalogue-'));
  cpSync(defaultCatalogueDir, dir, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    const target = path.join(dir, file);
    writeFileSync(target, edit(readFileSync(target, 'utf8')));
  }
  return dir;
}

/** Edits one entry (found by id) of the list under `key`, keeping the rest of the file as it is. */
function editEntry(key: string, id: string, edit: (entry: YAMLMap) => void): Edit {
  return (text) => {
    const doc = parseDocument(text);
    const list = doc.get(key);
    if (!isSeq(list)) throw new Error(`no list ${key}`);
    const entry = list.items.find((item) => isMap(item) && item.get('id') === id);
    if (!isMap(entry)) throw new Error(`no entry ${id} in ${key}`);
    edit(entry);
    return doc.toString();
  };
}

function problemsOf(dir: string): { error: CatalogueError; problems: readonly CatalogueProblem[] } {
  try {
    loadCatalogue(dir);
  } catch (error) {
    if (error instanceof CatalogueError) return { error, problems: error.problems };
    throw error;
  }
  throw new Error('the broken catalogue loaded');
}

function fileIn(dir: string, name: string): string {
  return `${SCRATCH_FROM_REPO}/${path.basename(dir)}/${name}`;
}

describe('a broken catalogue', () => {
  it('names the file, the measure and the field of a value outside its enum', () => {
    const dir = brokenCopy({ 'measures.yaml': editEntry('measures', 'NI15', (m) => m.set('polarity', 'lower')) });
    const { error, problems } = problemsOf(dir);
    expect(problems).toEqual([
      expect.objectContaining({ file: fileIn(dir, 'measures.yaml'), entry: 'measure "NI15"', field: 'polarity' }),
    ]);
    expect(error.message).toContain(
      `${fileIn(dir, 'measures.yaml')}: measure "NI15" field "polarity": expected "up" or "down", got "lower"`,
    );
    expect(problems[0]?.line).toBeGreaterThan(1);
  });

  it('names a missing field', () => {
    const dir = brokenCopy({ 'targets.yaml': editEntry('targets', 'SAC-2008-09', (t) => t.delete('area')) });
    const { error } = problemsOf(dir);
    expect(error.message).toContain(`${fileIn(dir, 'targets.yaml')}: target "SAC-2008-09" field "area": missing`);
  });

  it('names a field that the schema does not know (a typo)', () => {
    const dir = brokenCopy({
      'measures.yaml': editEntry('measures', 'SAC', (m) => {
        m.delete('polarity');
        m.set('polarty', 'down');
      }),
    });
    const { problems } = problemsOf(dir);
    expect(problems).toEqual([
      expect.objectContaining({ entry: 'measure "SAC"', field: 'polarity', reason: expect.stringMatching(/^missing/) }),
      expect.objectContaining({ entry: 'measure "SAC"', field: 'polarty', reason: 'unknown field' }),
    ]);
  });

  it('names an unknown agency among a measure\'s owners', () => {
    const dir = brokenCopy({ 'measures.yaml': editEntry('measures', 'NI40', (m) => m.set('owners', ['kdat'])) });
    const { error } = problemsOf(dir);
    expect(error.message).toContain(
      `${fileIn(dir, 'measures.yaml')}: measure "NI40" field "owners[0]": unknown agency "kdat"`,
    );
  });

  it('names a duplicate id and where it was first used', () => {
    const dir = brokenCopy({ 'measures.yaml': editEntry('measures', 'NI32', (m) => m.set('id', 'NI15')) });
    const { problems } = problemsOf(dir);
    expect(problems).toEqual([
      expect.objectContaining({
        file: fileIn(dir, 'measures.yaml'),
        entry: 'measure "NI15"',
        field: 'id',
        reason: expect.stringMatching(/^duplicate measure id or alias: "NI15" is already used on line \d+$/),
      }),
    ]);
  });

  it('rejects an alias that clashes with another measure\'s id', () => {
    const dir = brokenCopy({ 'measures.yaml': editEntry('measures', 'NI3', (m) => m.set('aliases', ['ni 15'])) });
    const { problems } = problemsOf(dir);
    expect(problems).toEqual([expect.objectContaining({ entry: 'measure "NI3"', field: 'aliases[0]' })]);
  });

  it('names the file and line of a YAML syntax error', () => {
    const dir = brokenCopy({ 'targets.yaml': (text) => text.replace('measure: DA_REPEAT', 'measure: [DA_REPEAT') });
    const { problems } = problemsOf(dir);
    expect(problems).toEqual([
      { file: fileIn(dir, 'targets.yaml'), reason: expect.stringMatching(/^YAML syntax error: /), line: expect.any(Number) },
    ]);
    expect(problems[0]?.line).toBeGreaterThan(1);
  });

  it('lists every problem, across files, in one error', () => {
    const dir = brokenCopy({
      'measures.yaml': editEntry('measures', 'NI15', (m) => m.set('frequency', 'weekly')),
      'areas.yaml': editEntry('areas', 'GBC', (a) => a.set('kind', 'district')),
      'psas.yaml': () => 'psas: [',
    });
    const { error, problems } = problemsOf(dir);
    expect(problems.map((p) => path.basename(p.file)).sort()).toEqual(['areas.yaml', 'measures.yaml', 'psas.yaml']);
    expect(error.message).toMatch(/^The measure catalogue is broken \(3 problems\):/);
    expect(error.message).toContain('area "GBC" field "kind": expected "borough" or "partnership", got "district"');
    expect(error.message).toContain(
      'measure "NI15" field "frequency": expected one of "monthly", "quarterly", "tranche", "annual" or "survey_wave", got "weekly"',
    );
  });

  it('names a missing file', () => {
    const dir = brokenCopy({});
    rmSync(path.join(dir, 'agencies.yaml'));
    const { problems } = problemsOf(dir);
    expect(problems).toEqual([{ file: fileIn(dir, 'agencies.yaml'), reason: 'file not found' }]);
  });

  it('names an entry without an id by its index', () => {
    const dir = brokenCopy({ 'agencies.yaml': editEntry('agencies', 'yos', (a) => a.delete('id')) });
    const { problems } = problemsOf(dir);
    expect(problems).toContainEqual(expect.objectContaining({ entry: 'agency at index 5', field: 'id' }));
  });

  it('names a sub-measure that overrides its group wrongly', () => {
    const dir = brokenCopy({
      'measures.yaml': (text) => text.replace('aliases: [NI95b]', 'aliases: [NI95b]\n        polarity: sideways'),
    });
    const { problems } = problemsOf(dir);
    expect(problems).toEqual([expect.objectContaining({ entry: 'sub-measure "NI195b"', field: 'polarity' })]);
  });

  it('checks the references of targets: measure, area, direction and value', () => {
    const dir = brokenCopy({
      'targets.yaml': (text) =>
        [
          editEntry('targets', 'SAC-2008-09', (t) => t.set('measure', 'NI95')),
          editEntry('targets', 'DA_REPEAT-2008-09', (t) => t.set('area', 'Dartford')),
          editEntry('targets', 'SAFE_DAY-2008-09', (t) => t.set('direction', 'reduce')),
          editEntry('targets', 'ASB_HIGH-2008-09', (t) => t.set('value', 150)),
        ].reduce((acc, edit) => edit(acc), text),
    });
    const { problems } = problemsOf(dir);
    expect(problems.map((p) => [p.entry, p.field, p.reason])).toEqual([
      ['target "SAC-2008-09"', 'measure', '"NI95" is an alias: write the measure\'s id "NI195"'],
      ['target "DA_REPEAT-2008-09"', 'area', 'unknown area "Dartford"'],
      ['target "ASB_HIGH-2008-09"', 'value', "150 is outside ASB_HIGH's valid range 0..100 (percent)"],
      [
        'target "SAFE_DAY-2008-09"',
        'direction',
        'SAFE_DAY has polarity "up", so its target direction is "increase", got "reduce"',
      ],
    ]);
  });

  it('requires a rate to name its population, and the plan\'s PSA to belong to the measure\'s priority areas', () => {
    const dir = brokenCopy({
      'measures.yaml': editEntry('measures', 'NI111', (m) => {
        m.delete('populationBase');
        m.set('psas', ['PSA25']);
      }),
    });
    const { problems } = problemsOf(dir);
    expect(problems.map((p) => [p.entry, p.field])).toEqual([
      ['measure "NI111"', 'populationBase'],
      ['measure "NI111"', 'psas[0]'],
    ]);
  });

  it('keeps agencies to the boroughs: the partnership is an aggregate, not a reporting area', () => {
    const dir = brokenCopy({ 'agencies.yaml': editEntry('agencies', 'kcvs', (a) => a.set('areas', ['DGCDRP'])) });
    const { problems } = problemsOf(dir);
    expect(problems).toEqual([
      expect.objectContaining({
        entry: 'agency "kcvs"',
        field: 'areas[0]',
        reason: '"DGCDRP" is an aggregate, not a reporting area',
      }),
    ]);
  });

  it('checks the illustrative borough split against the plan\'s combined population', () => {
    const dir = brokenCopy({ 'areas.yaml': (text) => text.replace('value: 90900', 'value: 90000') });
    const { problems } = problemsOf(dir);
    expect(problems).toEqual([
      expect.objectContaining({
        entry: 'area "DGCDRP"',
        field: 'populations[0].value',
        reason: "the boroughs' all_ages figures for 2008 sum to 190900, not 191800",
      }),
    ]);
  });
});
