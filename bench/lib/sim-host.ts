/**
 * The simulator, in the bench process (it is WhatsApp here, not the thing measured). Sessions are
 * paired through its admin HTTP API, as the e2e tests do; delivery to a virtual contact is timed by
 * watching that contact's inbox in memory (the moment its phone decrypted the message).
 */
import { startSim, type RunningSim } from '../../sim/index.ts';
import { now } from './stats.ts';

export interface SimHost {
  sim: RunningSim;
  admin(method: string, path: string, body?: unknown): Promise<any>;
  scanQr(qr: string, phone: string): Promise<void>;
  contact(phone: string, name: string): Promise<{ phone: string; lid: string; jid: string }>;
  /** Calls `onArrival(messageId, at)` for every message the contact's phone decrypts from now on. */
  watchInbox(phone: string, onArrival: (id: string, at: number) => void): void;
  /** Makes a virtual contact's phone send a text to an account (phone number); returns the message id. */
  contactSend(from: string, to: string, text: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startSimHost(): Promise<SimHost> {
  const sim = await startSim({ media: false });
  const phones = sim.phones;
  if (!phones) throw new Error('sim started without simulated phones');
  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${sim.adminUrl}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`sim ${method} ${path} → ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    sim,
    admin,
    async scanQr(qr, phone) {
      await admin('POST', '/admin/scan-qr', { qr, phone, name: `Bench ${phone}` });
    },
    contact: (phone, name) => admin('POST', '/admin/contacts', { phone, name }),
    watchInbox(phone, onArrival) {
      const account = sim.sim.store.account(phone);
      if (!account) throw new Error(`no sim account ${phone}`);
      const inbox = phones.inbox(account);
      const push = inbox.push.bind(inbox);
      inbox.push = (...entries) => {
        const at = now();
        for (const entry of entries) onArrival(entry.id, at);
        return push(...entries);
      };
    },
    async contactSend(from, to, text) {
      return (await admin('POST', `/admin/contacts/${from}/send`, { to, text })).id as string;
    },
    stop: () => sim.stop(),
  };
}
