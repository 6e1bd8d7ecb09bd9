export { configFrom, feedDirOf, type ReporterConfig, reporterVariables } from './config.js';
export { monthClose, type PublishOutcome, Reporter } from './reporter.js';
export { type ReporterHealth, startReporterService } from './service.js';
