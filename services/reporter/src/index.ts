export { configFrom, feedDirOf, type ReporterConfig, reporterVariables } from './config.js';
export { monthClose, type PublishOutcome, Reporter, type ReporterOptions } from './reporter.js';
export { type ReporterHealth, type ReporterServiceOptions, startReporterService } from './service.js';
