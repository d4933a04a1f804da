import { parentPort, workerData } from 'node:worker_threads';
import { isLightcodeError } from '@lightcode/cost-model';
import { discoverPlugins } from './plugins.js';
import { compilePoint, type SweepPoint } from './sweep.js';
import type { SweepReply, SweepWorkerData } from './sweep-pool.js';

// One sweep worker: loads the plugins once, then compiles each group of points it is sent.
const data = workerData as SweepWorkerData;
const port = parentPort;
if (!port) throw new Error('sweep-worker runs as a worker thread');
const registry = discoverPlugins(data.discovery);
port.on('message', async (group: readonly SweepPoint[]) => {
  let reply: SweepReply;
  try {
    const rows = [];
    for (const p of group) rows.push(await compilePoint(await registry, data.base, p));
    reply = { rows };
  } catch (e) {
    reply = isLightcodeError(e)
      ? { error: { message: e.message, exitCode: e.exitCode } }
      : { error: { message: `internal error in a sweep worker: ${(e as Error)?.message ?? String(e)}` } };
  }
  port.postMessage(reply);
});
