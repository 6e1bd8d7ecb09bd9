import type { CheckedReading } from './check-reading.js';

/**
 * Readings per chunk (4,096: 128 KiB of columns). Chunks are never copied or resized, so a return
 * costs at most one part-filled chunk more than its readings.
 */
const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;

/** Fields of a reading identifying what it is about, stored as word numbers: measure, area, period start, period end. */
const KEY_FIELDS = 4;

/** One chunk of the buffer's columns. The figures a return seldom gives get a column only once one is given. */
class Chunk {
  readonly rows = new Float64Array(CHUNK);
  readonly keys = new Int32Array(CHUNK * KEY_FIELDS);
  readonly values = new Float64Array(CHUNK);
  /** Word number of the alias the officer wrote, or -1. */
  submitted: Int32Array | undefined;
  /** NaN where the reading has no such figure. */
  numerators: Float64Array | undefined;
  denominators: Float64Array | undefined;
  sampleSizes: Float64Array | undefined;
  notes: (string | undefined)[] | undefined;
}

const noFigures = () => new Float64Array(CHUNK).fill(Number.NaN);

/** Stirs a word number into a hash (multiply-xorshift), so that neighbouring words land far apart. */
function mix(hash: number, word: number): number {
  const h = Math.imul(hash ^ word, 0x9e3779b1);
  return h ^ (h >>> 15);
}

/** The hash-table slot where a search for this measure, area and period starts. */
const slotOf = (measure: number, area: number, start: number, end: number, mask: number) => mix(mix(mix(mix(0, measure), area), start), end) & mask;

/**
 * The checked readings of one return, held column by column in typed arrays, with repeated
 * strings (measure, area, period dates) stored once as words: 40 to 50 bytes a reading, so a
 * million-row return costs tens of megabytes, not hundreds, and gives the garbage collector
 * almost nothing to trace while it waits to be appended whole. An open-addressing hash table
 * over the word numbers finds a second reading for the same measure, area and period without a
 * string key per reading.
 */
export class ReadingBuffer {
  private readonly words: string[] = [];
  private readonly wordIndex = new Map<string, number>();
  private readonly chunks: Chunk[] = [];
  private count = 0;
  /** Reading index + 1 per slot (0: empty); kept at most half full. */
  private slots = new Int32Array(1 << 10);
  private earliestStart = '9999-12-31';
  private latestEnd = '0000-01-01';

  get length(): number {
    return this.count;
  }

  /** The period the readings cover: from the earliest start to the latest end. */
  get period(): { start: string; end: string } {
    return { start: this.earliestStart, end: this.latestEnd };
  }

  private word(text: string): number {
    let index = this.wordIndex.get(text);
    if (index === undefined) {
      index = this.words.push(text) - 1;
      this.wordIndex.set(text, index);
    }
    return index;
  }

  /**
   * Adds the reading, unless the buffer already holds one for the same measure, area and period:
   * then nothing is added and the answer is that reading's row.
   */
  add(reading: CheckedReading): number | undefined {
    const measure = this.word(reading.measureId);
    const area = this.word(reading.area);
    const start = this.word(reading.period.start);
    const end = this.word(reading.period.end);
    const mask = this.slots.length - 1;
    let slot = slotOf(measure, area, start, end, mask);
    for (let held = this.slots[slot] as number; held !== 0; held = this.slots[slot] as number) {
      if (this.sameKey(held - 1, measure, area, start, end)) return this.rowAt(held - 1);
      slot = (slot + 1) & mask;
    }

    const index = this.count++;
    const offset = index & (CHUNK - 1);
    let chunk = this.chunks[index >>> CHUNK_BITS];
    if (chunk === undefined) {
      chunk = new Chunk();
      this.chunks.push(chunk);
    }
    chunk.rows[offset] = reading.row;
    const keys = offset * KEY_FIELDS;
    chunk.keys[keys] = measure;
    chunk.keys[keys + 1] = area;
    chunk.keys[keys + 2] = start;
    chunk.keys[keys + 3] = end;
    chunk.values[offset] = reading.value;
    if (reading.submittedMeasureId !== undefined) {
      chunk.submitted ??= new Int32Array(CHUNK).fill(-1);
      chunk.submitted[offset] = this.word(reading.submittedMeasureId);
    }
    if (reading.numerator !== undefined) {
      chunk.numerators ??= noFigures();
      chunk.numerators[offset] = reading.numerator;
    }
    if (reading.denominator !== undefined) {
      chunk.denominators ??= noFigures();
      chunk.denominators[offset] = reading.denominator;
    }
    if (reading.sampleSize !== undefined) {
      chunk.sampleSizes ??= noFigures();
      chunk.sampleSizes[offset] = reading.sampleSize;
    }
    if (reading.note !== undefined) {
      chunk.notes ??= [];
      chunk.notes[offset] = reading.note;
    }
    if (reading.period.start < this.earliestStart) this.earliestStart = reading.period.start;
    if (reading.period.end > this.latestEnd) this.latestEnd = reading.period.end;

    this.slots[slot] = index + 1;
    if (this.count * 2 > this.slots.length) this.rehash();
    return undefined;
  }

  at(index: number): CheckedReading {
    if (!(index >= 0 && index < this.count)) throw new RangeError(`no reading ${index} in a buffer of ${this.count}`);
    const chunk = this.chunks[index >>> CHUNK_BITS] as Chunk;
    const offset = index & (CHUNK - 1);
    const keys = offset * KEY_FIELDS;
    const words = this.words;
    const reading: CheckedReading = {
      row: chunk.rows[offset] as number,
      measureId: words[chunk.keys[keys] as number] as string,
      area: words[chunk.keys[keys + 1] as number] as string,
      period: { start: words[chunk.keys[keys + 2] as number] as string, end: words[chunk.keys[keys + 3] as number] as string },
      value: chunk.values[offset] as number,
    };
    const submitted = chunk.submitted?.[offset] ?? -1;
    if (submitted >= 0) reading.submittedMeasureId = words[submitted];
    const numerator = chunk.numerators?.[offset] ?? Number.NaN;
    if (!Number.isNaN(numerator)) reading.numerator = numerator;
    const denominator = chunk.denominators?.[offset] ?? Number.NaN;
    if (!Number.isNaN(denominator)) reading.denominator = denominator;
    const sampleSize = chunk.sampleSizes?.[offset] ?? Number.NaN;
    if (!Number.isNaN(sampleSize)) reading.sampleSize = sampleSize;
    const note = chunk.notes?.[offset];
    if (note !== undefined) reading.note = note;
    return reading;
  }

  *[Symbol.iterator](): IterableIterator<CheckedReading> {
    for (let index = 0; index < this.count; index++) yield this.at(index);
  }

  private rowAt(index: number): number {
    return (this.chunks[index >>> CHUNK_BITS] as Chunk).rows[index & (CHUNK - 1)] as number;
  }

  private sameKey(index: number, measure: number, area: number, start: number, end: number): boolean {
    const keys = (this.chunks[index >>> CHUNK_BITS] as Chunk).keys;
    const at = (index & (CHUNK - 1)) * KEY_FIELDS;
    return keys[at] === measure && keys[at + 1] === area && keys[at + 2] === start && keys[at + 3] === end;
  }

  /** Doubles the hash table, placing every reading again. */
  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let index = 0; index < this.count; index++) {
      const keys = (this.chunks[index >>> CHUNK_BITS] as Chunk).keys;
      const at = (index & (CHUNK - 1)) * KEY_FIELDS;
      let slot = slotOf(keys[at] as number, keys[at + 1] as number, keys[at + 2] as number, keys[at + 3] as number, mask);
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = index + 1;
    }
    this.slots = slots;
  }
}
