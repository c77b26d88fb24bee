/**
 * Passthrough arguments and results cross HTTP as JSON. Buffers use Baileys' own BufferJSON shape
 * ({ "type": "Buffer", "data": "<base64>" }) both ways, so what a method returns can be sent back.
 */
import { BufferJSON } from 'baileys';

export function reviveArgs(args: unknown[]): unknown[] {
  return JSON.parse(JSON.stringify(args), BufferJSON.reviver) as unknown[];
}

export function toJsonSafe(value: unknown): unknown {
  if (value === undefined) return null;
  const text = JSON.stringify(value, (key, inner: unknown) => {
    if (typeof inner === 'bigint') return inner.toString();
    return BufferJSON.replacer(key, inner);
  });
  return text === undefined ? null : (JSON.parse(text) as unknown);
}
