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

test('every printing console method is covered, whatever method a libsignal version picks', () => {
  const methods = ['info', 'warn', 'error', 'log', 'debug', 'trace'] as const;
  const printed: string[] = [];
  const originals = methods.map((method) => console[method]);
  for (const method of methods) console[method] = (...args: unknown[]) => void printed.push(`${method}:${String(args[0])}`);
  const debug: string[] = [];
  try {
    // A fresh marker so this test's stubs are the ones wrapped.
    delete (console as unknown as Record<symbol, boolean>)[Symbol.for('wafleet.libsignal-console')];
    quietLibsignalConsole((message) => debug.push(message));
    for (const method of methods) {
      console[method]('Closing session:', { rootKey: Buffer.from('root-secret') });
      console[method]('Removing old closed session:', { chainKey: Buffer.from('chain-secret') });
    }
    console.debug('kept');
  } finally {
    methods.forEach((method, index) => (console[method] = originals[index]!));
  }
  assert.deepEqual(printed, ['debug:kept']);
  assert.equal(debug.length, methods.length * 2);
});
