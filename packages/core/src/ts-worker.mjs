// Runs a TypeScript worker entry from sources: registers tsx in this worker
// thread (loader hooks of the main thread do not reach workers), then imports it.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
