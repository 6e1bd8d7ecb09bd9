/**
 * Upcasting: how an event stored at an older schema version is read today.
 *
 * Stored events are never rewritten. When the data of an event type changes shape, its version
 * in `beaconEvents` goes up by one and an upcaster from the previous version is added here,
 * keyed by the version it reads. Reading applies the chain (v1 → v2 → … → current) and then
 * validates the result with the current schema, so domain code only ever sees current data.
 */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

export const upcasters: Partial<Record<string, Record<number, Upcaster>>> = {
  PopulationRecorded: {
    // v1 knew only all-age estimates. v2 adds the population base (the 10-17 year olds that
    // NI 111's rate needs) and whether the figure is a projection.
    1: (data) => ({ ...data, base: 'all_ages', projected: false }),
  },
};
