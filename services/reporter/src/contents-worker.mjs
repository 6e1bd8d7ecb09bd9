// Entry of a feed worker thread: TypeScript is loaded through tsx, which a worker does not inherit.
import { register } from 'tsx/esm/api';

register();
await import('./summaries-for-feed.ts');
