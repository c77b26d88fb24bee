/**
 * The code of the worker thread that checkpoints (started by checkpointer.ts): a second connection
 * to the database file that copies WAL frames into the database on request, so the main thread never
 * waits for it. In: 'checkpoint' | 'close'. Out: a CheckpointReply after each checkpoint.
 *
 * It is plain JavaScript run with `eval: true`, not a module file: a worker started from a .ts file
 * would need the TypeScript loader, which Node 20 does not hand on to worker threads (tests run the
 * sources through tsx; `npm start` runs dist/). The driver comes in as a resolved path.
 */
import { createRequire } from 'node:module';

export interface CheckpointWorkerData {
  file: string;
  busyTimeoutMs: number;
  driverPath: string;
}

export type CheckpointReply =
  | { ok: true; walFrames: number; checkpointedFrames: number }
  | { ok: false; message: string };

export function checkpointWorkerData(file: string, busyTimeoutMs: number): CheckpointWorkerData {
  return { file, busyTimeoutMs, driverPath: createRequire(import.meta.url).resolve('better-sqlite3') };
}

export const CHECKPOINT_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.file, { fileMustExist: true });
// A checkpoint flushes the WAL before copying and the database file after: that keeps committed
// data safe once SQLite starts overwriting the WAL from its beginning.
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = ' + Number(workerData.busyTimeoutMs));
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    // PASSIVE: copies what no reader still needs and never waits for the writer (the main thread).
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, walFrames: result ? result.log : 0, checkpointedFrames: result ? result.checkpointed : 0 });
  } catch (error) {
    parentPort.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) });
  }
});
`;
