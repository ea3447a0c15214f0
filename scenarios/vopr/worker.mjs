// Worker entry: registers tsx in this thread (workers do not inherit the parent's loader hooks), then loads the
// TypeScript worker. Plain JS so `new Worker()` can start it without a loader.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
