/**
 * libsignal (under Baileys) writes session records — ratchet private keys included — to the
 * console when it closes a session. Secrets never go to logs, so its known messages are caught
 * here and reduced to their first line at debug level; every other console call passes through.
 */
type ConsoleMethod = 'info' | 'warn' | 'error' | 'log' | 'debug' | 'trace';

/** Every console method that prints its arguments (libsignal 6 uses info, warn and error today). */
const METHODS: ConsoleMethod[] = ['info', 'warn', 'error', 'log', 'debug', 'trace'];

const LIBSIGNAL_MESSAGES =
  /^(Closing session|Opening session|Session already open|Closing open session|Closing stale open session|Session already closed|Decrypted message with closed session|Failed to decrypt message with any known session|Session error:|Migrating session to|Removing old closed session|Unhandled bucket type|V1 session storage migration error|WARNING: Expected pubkey)/;

const INSTALLED = Symbol.for('wafleet.libsignal-console');

export function quietLibsignalConsole(debug: (message: string) => void): void {
  const marked = console as unknown as Record<symbol, boolean>;
  if (marked[INSTALLED]) return;
  marked[INSTALLED] = true;
  for (const method of METHODS) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      const [first] = args;
      if (typeof first === 'string' && LIBSIGNAL_MESSAGES.test(first)) {
        debug(`libsignal: ${first.split('\n')[0]!.slice(0, 120)}`);
        return;
      }
      original(...args);
    };
  }
}
