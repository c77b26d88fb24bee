import { resolveRecipient, type JidKind } from '../domain/jid.ts';
import { AppError } from '../errors/app-error.ts';

/** Resolves a caller-given chat/user/group id or fails with a message naming the field. */
export function requireJid(value: string, field: string, kinds: readonly JidKind[] = ['user', 'lid', 'group']): string {
  const parsed = resolveRecipient(value);
  if (!parsed || !kinds.includes(parsed.kind)) {
    const expected = kinds.map((kind) => ({ user: 'a phone number or …@s.whatsapp.net', lid: '…@lid', group: '…@g.us' })[kind]).join(' or ');
    throw new AppError(kinds.length === 1 && kinds[0] === 'group' ? 'VALIDATION_FAILED' : 'INVALID_RECIPIENT', `${field} "${value}" is not valid: give ${expected}.`, { field });
  }
  return parsed.jid;
}
