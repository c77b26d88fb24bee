/**
 * BENCH ONLY preload: installs the engine's shared AsyncLocalStorage before anything else loads,
 * for processes that do not build a wafleet engine (the raw-Baileys floor). wafleet itself now
 * installs it from its Baileys engine (src/engines/baileys/shared-async-context.ts), so the
 * benches' --shared-als flag no longer changes wafleet's figures.
 *   node --import tsx --import ./bench/lib/shared-als-preload.ts …
 */
import { installSharedAsyncContext } from '../../src/engines/baileys/shared-async-context.ts';

installSharedAsyncContext();
