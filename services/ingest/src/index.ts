export { type Answer, answerFor, answerForError, BadUpload } from './answers.js';
export { ConfigError, configFrom, type IngestConfig } from './config.js';
export { returnsPlugin, type ReturnsPluginOptions } from './returns-plugin.js';
export { buildIngestServer, type IngestServerOptions } from './server.js';
export { recordTarget, type TargetRecorded, TargetNotTaken, TargetRevision, targetsPlugin, type TargetsPluginOptions } from './targets-plugin.js';
export { DEFAULT_MAX_RETURN_ROWS, DEFAULT_MAX_UPLOAD_BYTES, TooManyRows, UploadTooLarge, uploadBytes } from './upload-body.js';
export { DEFAULT_MAX_WORKBOOK_BYTES, refuseZipBomb, WorkbookTooLarge } from './workbook-guard.js';
