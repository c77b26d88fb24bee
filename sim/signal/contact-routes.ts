import { jidDecode, proto } from 'baileys';
import type { HostAdminRoute as AdminRoute, PhoneHost as SimContext } from './host.ts';
import type { SignalPhones } from './phones.ts';

const fail = (status: number, message: string) => Object.assign(new Error(message), { status });

/** Digits of a phone number, or the user part of a JID (`5511…@s.whatsapp.net`, `…@lid`). */
function accountOf(ctx: SimContext, value: unknown) {
  const text = String(value ?? '');
  const decoded = text.includes('@') ? jidDecode(text) : undefined;
  const account = decoded
    ? ctx.store.accountByUser(decoded.user, decoded.server)
    : ctx.store.account(text.replace(/[^0-9]/g, ''));
  if (!account) throw fail(404, `no account ${text}`);
  return account;
}

/** The message to send: `{ text }` for a plain text, or `{ message }` as WAProto JSON (reactions, polls…). */
function messageOf(body: any): proto.IMessage {
  if (typeof body?.text === 'string') return { conversation: body.text };
  if (body?.message && typeof body.message === 'object') return proto.Message.fromObject(body.message);
  throw fail(400, 'give text or message');
}

/**
 * Admin API for virtual contacts (accounts whose phone is simulated, no Baileys client):
 *   POST /admin/contacts {phone, name}              create the account and its phone keys
 *   POST /admin/contacts/{phone}/send {to, text|message, hidePhone?}  → {id} (hidePhone: LID only, no sender_pn)
 *   GET  /admin/contacts/{phone}/inbox               → decrypted messages received by that phone
 *   POST /admin/contacts/{phone}/reset-session {to} → {reset}: drop the phone's sessions with `to`'s companions
 *   POST /admin/contacts/{phone}/read {ids}          → {receipts}: "read" receipts for inbox messages
 */
export function contactRoutes(phones: SignalPhones): AdminRoute[] {
  const ctx = () => phones.ctx;
  return [
    {
      method: 'POST',
      path: /^\/admin\/contacts$/,
      handler: ({ body }) => {
        const phone = String(body?.phone ?? '').replace(/[^0-9]/g, '');
        if (phone.length < 5 || phone.length > 15) throw fail(400, 'phone must be 5-15 digits');
        const account = ctx().store.ensureAccount(phone, body?.name);
        phones.phone(account);
        return { status: 201, body: { phone: account.phone, lid: `${account.lid}@lid`, jid: `${account.phone}@s.whatsapp.net` } };
      },
    },
    {
      method: 'POST',
      path: /^\/admin\/contacts\/(?<phone>\d+)\/send$/,
      handler: async ({ params, body }) => {
        const from = accountOf(ctx(), params.phone);
        const to = accountOf(ctx(), body?.to);
        return { body: { id: await phones.send(from, to, messageOf(body), { hidePhone: body?.hidePhone === true }) } };
      },
    },
    {
      method: 'POST',
      path: /^\/admin\/contacts\/(?<phone>\d+)\/reset-session$/,
      handler: ({ params, body }) => ({ body: { reset: phones.resetSessions(accountOf(ctx(), params.phone), accountOf(ctx(), body?.to)) } }),
    },
    {
      method: 'POST',
      path: /^\/admin\/contacts\/(?<phone>\d+)\/read$/,
      handler: ({ params, body }) => {
        const ids: unknown = body?.ids;
        if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) throw fail(400, 'ids must be an array of message ids');
        return { body: { receipts: phones.markRead(accountOf(ctx(), params.phone), ids) } };
      },
    },
    {
      method: 'GET',
      path: /^\/admin\/contacts\/(?<phone>\d+)\/inbox$/,
      handler: ({ params }) => ({
        body: phones.inbox(accountOf(ctx(), params.phone)).map((entry) => ({
          id: entry.id,
          from: entry.from,
          ...(entry.group ? { group: entry.group } : {}),
          timestamp: entry.timestamp,
          copies: entry.copies ?? 1,
          message: proto.Message.toObject(entry.message, { bytes: String, longs: Number }),
        })),
      }),
    },
  ];
}
