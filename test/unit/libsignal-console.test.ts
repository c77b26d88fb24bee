import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quietLibsignalConsole } from '../../src/engines/baileys/libsignal-console.ts';

test("libsignal's session dumps (with private keys) never reach the console; other output does", () => {
  const printed: unknown[][] = [];
  const original = console.info;
  console.info = (...args: unknown[]) => void printed.push(args);
  const debug: string[] = [];
  try {
    quietLibsignalConsole((message) => debug.push(message));
    console.info('Closing session:', { currentRatchet: { ephemeralKeyPair: { privKey: Buffer.from('secret') } } });
    console.info('an ordinary line');
  } finally {
    console.info = original;
  }
  assert.deepEqual(printed, [['an ordinary line']]);
  assert.deepEqual(debug, ['libsignal: Closing session:']);
});
