/**
 * TEST ONLY. Re-pins Baileys' noise certificate root to the simulator's root key, so the
 * chain check stays meaningful (today rc14 ignores the verify result; a fixed Baileys would
 * reject a self-rooted chain). Never imported by src/.
 *
 * Use as a preload: `WAFLEET_SIM_ROOT_KEY=<hex> node --import tsx --import ./test/helpers/sim-trust-preload.ts …`
 * or call `pinSimRoot(sim.rootPublicKey)` in-process before creating sockets.
 */
import { WA_CERT_DETAILS } from 'baileys';

export function pinSimRoot(rootPublicKeyHex: string): void {
  const key = Buffer.from(rootPublicKeyHex, 'hex');
  if (key.length !== 32) throw new Error('sim root public key must be 32 bytes of hex');
  (WA_CERT_DETAILS as { PUBLIC_KEY: Buffer }).PUBLIC_KEY = key;
}

const fromEnv = process.env.WAFLEET_SIM_ROOT_KEY;
if (fromEnv) pinSimRoot(fromEnv);
