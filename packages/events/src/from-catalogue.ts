import type { Catalogue } from '@beacon/catalogue';
import type { BeaconEvent } from './events.js';
import { eventId, streamOf } from './ids.js';

/** An event ready to append, with the stream it belongs to and its deterministic id. */
export interface EventForStream {
  stream: string;
  id: string;
  event: BeaconEvent;
}

const catalogueActor = { kind: 'system', id: 'catalogue', name: 'Beacon measure catalogue' } as const;
const startOfDay = (isoDate: string) => `${isoDate}T00:00:00Z`;

/**
 * The catalogue's targets and borough populations as the events that record them. Ids come from
 * what each figure is (target id and version; area, base and year), so recording the same
 * catalogue again adds nothing. The partnership's population is not recorded: it is the sum of
 * its boroughs'.
 */
export function catalogueRecords(catalogue: Catalogue): EventForStream[] {
  const targets = catalogue.targets.map((target): EventForStream => {
    const { id, version, measure, area, period, source, baseline, note, recordedOn } = target;
    return {
      stream: streamOf.target(id),
      id: eventId('target', id, 'version', version),
      event: {
        type: 'TargetSet',
        data: {
          targetId: id,
          version,
          measureId: measure,
          area,
          target: target.kind === 'value' ? { kind: 'value', value: target.value } : { kind: 'direction', direction: target.direction },
          source,
          ...(baseline && { baseline }),
          ...(note && { note }),
          period,
          recordedAt: startOfDay(recordedOn),
          actor: catalogueActor,
        },
      },
    };
  });
  const populations = catalogue.areas.flatMap((area) =>
    area.kind !== 'borough'
      ? []
      : area.populations.map((figure): EventForStream => ({
          stream: streamOf.population(area.id),
          id: eventId('population', area.id, figure.base, figure.year, figure.value),
          event: {
            type: 'PopulationRecorded',
            data: {
              area: area.id,
              base: figure.base,
              population: figure.value,
              source: figure.source,
              illustrative: figure.illustrative,
              projected: figure.projected,
              period: { start: `${figure.year}-01-01`, end: `${figure.year}-12-31` },
              recordedAt: startOfDay(figure.recordedOn),
              actor: catalogueActor,
            },
          },
        })),
  );
  return [...targets, ...populations];
}
