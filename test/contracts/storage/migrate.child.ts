/**
 * Child process for the concurrent-startup case: waits until a shared start time (so the
 * processes really overlap), runs migrate() with the given options and prints what it applied.
 * argv: <createStorage options as JSON> <start time, epoch ms>
 */
import { migrate } from '../../../src/storage/create-storage.ts';

const [optionsJson, startAt] = process.argv.slice(2);
if (!optionsJson || !startAt) throw new Error('usage: migrate.child.ts <options-json> <start-at-ms>');
const delay = Number(startAt) - Date.now();
if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
const result = await migrate(JSON.parse(optionsJson));
process.stdout.write(JSON.stringify(result));
