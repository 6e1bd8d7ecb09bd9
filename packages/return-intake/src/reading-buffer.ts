import type { CheckedReading } from './check-reading.js';

/**
 * The checked readings of one return, held column by column with repeated strings (measure,
 * area, period) stored once: a million-row return costs tens of megabytes, not hundreds, while
 * it waits to be appended whole.
 */
export class ReadingBuffer {
  private readonly words: string[] = [];
  private readonly wordIndex = new Map<string, number>();
  private readonly rows: number[] = [];
  private readonly measures: number[] = [];
  private readonly submitted: number[] = [];
  private readonly areas: number[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly values: number[] = [];
  private readonly numerators: number[] = [];
  private readonly denominators: number[] = [];
  private readonly sampleSizes: number[] = [];
  private readonly notes = new Map<number, string>();

  get length(): number {
    return this.rows.length;
  }

  private word(text: string): number {
    let index = this.wordIndex.get(text);
    if (index === undefined) {
      index = this.words.push(text) - 1;
      this.wordIndex.set(text, index);
    }
    return index;
  }

  /** A short key for the reading's measure, area and period, to find duplicates within the return. */
  keyOf(reading: CheckedReading): string {
    return `${this.word(reading.measureId)},${this.word(reading.area)},${this.word(reading.period.start)},${this.word(reading.period.end)}`;
  }

  push(reading: CheckedReading): void {
    this.rows.push(reading.row);
    this.measures.push(this.word(reading.measureId));
    this.submitted.push(reading.submittedMeasureId === undefined ? -1 : this.word(reading.submittedMeasureId));
    this.areas.push(this.word(reading.area));
    this.starts.push(this.word(reading.period.start));
    this.ends.push(this.word(reading.period.end));
    this.values.push(reading.value);
    this.numerators.push(reading.numerator ?? Number.NaN);
    this.denominators.push(reading.denominator ?? Number.NaN);
    this.sampleSizes.push(reading.sampleSize ?? -1);
    if (reading.note !== undefined) this.notes.set(this.rows.length - 1, reading.note);
  }

  at(index: number): CheckedReading {
    const words = this.words;
    const numerator = this.numerators[index]!;
    const denominator = this.denominators[index]!;
    const sampleSize = this.sampleSizes[index]!;
    const submitted = this.submitted[index]!;
    const note = this.notes.get(index);
    return {
      row: this.rows[index]!,
      measureId: words[this.measures[index]!]!,
      ...(submitted >= 0 && { submittedMeasureId: words[submitted]! }),
      area: words[this.areas[index]!]!,
      period: { start: words[this.starts[index]!]!, end: words[this.ends[index]!]! },
      value: this.values[index]!,
      ...(!Number.isNaN(numerator) && { numerator }),
      ...(!Number.isNaN(denominator) && { denominator }),
      ...(sampleSize >= 0 && { sampleSize }),
      ...(note !== undefined && { note }),
    };
  }

  *[Symbol.iterator](): IterableIterator<CheckedReading> {
    for (let index = 0; index < this.rows.length; index++) yield this.at(index);
  }
}
