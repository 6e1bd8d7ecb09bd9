export { ProjectionStopped, ReadModels, type ReadModelsOptions, utc } from './projection.js';
export { Records } from './records.js';
export { ReadModelsNotUsable } from './schema.js';
export { asAtMoment, monthEndOfPeriod, PerformanceQueries } from './queries.js';
