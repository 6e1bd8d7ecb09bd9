/** Writes schema/feed-message.v1.json, the feed message schema for consumers outside TypeScript: `npm run json-schema -w @beacon/feed`. */
import { writeFileSync } from 'node:fs';
import { feedJsonSchemaText, jsonSchemaFile } from './json-schema.js';

writeFileSync(jsonSchemaFile, feedJsonSchemaText());
console.log(`wrote ${jsonSchemaFile}`);
