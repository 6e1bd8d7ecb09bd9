export { type Answer, answerFor, answerForError, BadUpload } from './answers.js';
export { ConfigError, configFrom, type IngestConfig } from './config.js';
export { returnsPlugin, type ReturnsPluginOptions } from './returns-plugin.js';
export { buildIngestServer, type IngestServerOptions } from './server.js';
export { DEFAULT_MAX_UPLOAD_BYTES, UploadTooLarge, uploadBytes } from './upload-body.js';
