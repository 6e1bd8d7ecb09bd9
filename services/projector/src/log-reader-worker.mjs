// Entry of the rebuild's log-reader thread: TypeScript is loaded through tsx, which a worker does not inherit.
import { register } from 'tsx/esm/api';

register();
await import('./log-reader.ts');
