import type { SimServer } from '../server/sim-server.ts';
import type { AccountRecord } from '../state/types.ts';

export interface AdminRequest {
  params: Record<string, string>;
  body: any;
  query: URLSearchParams;
}
export interface AdminRoute {
  method: 'GET' | 'POST' | 'DELETE';
  path: RegExp;
  handler(req: AdminRequest): Promise<{ status?: number; body: unknown }> | { status?: number; body: unknown };
}

function bad(message: string): Error {
  return Object.assign(new Error(message), { status: 400 });
}

function phoneOf(value: unknown): string {
  const phone = String(value ?? '').replace(/[^0-9]/g, '');
  if (phone.length < 5 || phone.length > 15) throw bad('phone must be 5-15 digits');
  return phone;
}

export function accountView(sim: SimServer, account: AccountRecord) {
  return {
    phone: account.phone,
    lid: account.lid,
    name: account.name,
    jid: `${account.phone}@s.whatsapp.net`,
    lidJid: `${account.lid}@lid`,
    devices: Object.values(account.devices).map((d) => ({
      id: d.id,
      jid: `${account.phone}:${d.id}@s.whatsapp.net`,
      lidJid: `${account.lid}:${d.id}@lid`,
      platform: d.platform,
      pushName: d.pushName,
      online: !!sim.connectionOf(account.phone, d.id),
      preKeys: sim.store.keys(account.phone, d.id)?.preKeys.length ?? 0,
      linkedAt: new Date(d.linkedAt).toISOString(),
    })),
  };
}

const FAULTS = ['drop', '401', '515', '440', '503'] as const;

/** The core admin routes (accounts, pairing, stats, faults). Extensions add theirs in front. */
export function coreRoutes(sim: SimServer): AdminRoute[] {
  return [
    { method: 'GET', path: /^\/admin\/health$/, handler: () => ({ body: { ok: true } }) },
    { method: 'GET', path: /^\/admin\/accounts$/, handler: () => ({ body: sim.store.accounts().map((a) => accountView(sim, a)) }) },
    {
      method: 'POST',
      path: /^\/admin\/accounts$/,
      handler: ({ body }) => ({ status: 201, body: accountView(sim, sim.store.ensureAccount(phoneOf(body.phone), body.name)) }),
    },
    {
      method: 'GET',
      path: /^\/admin\/accounts\/(?<phone>\d+)$/,
      handler: ({ params }) => {
        const account = sim.store.account(params.phone!);
        if (!account) return { status: 404, body: { error: 'no such account' } };
        return { body: accountView(sim, account) };
      },
    },
    {
      method: 'DELETE',
      path: /^\/admin\/accounts\/(?<phone>\d+)\/devices\/(?<device>\d+)$/,
      handler: ({ params }) => {
        const removed = sim.removeDevice(params.phone!, Number(params.device));
        return removed ? { body: { removed: true } } : { status: 404, body: { error: 'no such device' } };
      },
    },
    {
      method: 'GET',
      path: /^\/admin\/stats$/,
      handler: () => ({
        body: {
          ...sim.stats,
          accounts: sim.store.accounts().length,
          devices: sim.store.accounts().reduce((n, a) => n + Object.keys(a.devices).length, 0),
          online: sim.liveDevices().length,
          offlineQueued: sim.store.offlineCount(),
          unacked: sim.unackedCount(),
          pendingRegistrations: sim.pairing.pendingCount(),
          latencyMs: sim.latencyMs,
          jitterMs: sim.jitterMs,
        },
      }),
    },
    {
      method: 'GET',
      path: /^\/admin\/logins$/,
      handler: () => ({ body: Object.fromEntries(sim.loginStats) }),
    },
    {
      method: 'POST',
      path: /^\/admin\/scan-qr$/,
      handler: async ({ body }) => {
        if (typeof body.qr !== 'string') throw bad('qr (string) is required');
        return { body: await sim.pairing.scanQr(body.qr, phoneOf(body.phone), body.name) };
      },
    },
    {
      method: 'POST',
      path: /^\/admin\/pair-code$/,
      handler: async ({ body }) => {
        if (typeof body.code !== 'string' || body.code.replace(/-/g, '').length !== 8) throw bad('code must be 8 characters');
        return { body: await sim.pairing.enterPairCode(phoneOf(body.phone), body.code, body.name) };
      },
    },
    {
      method: 'POST',
      path: /^\/admin\/faults$/,
      handler: ({ body }) => {
        const fault = String(body.fault ?? '');
        if (fault === 'latency' && body.phone !== undefined) {
          const phone = phoneOf(body.phone);
          const device = Number(body.device ?? 1);
          const latencyMs = Math.max(0, Number(body.latencyMs ?? 0));
          sim.faultsOf(phone, device).latencyMs = latencyMs;
          const conn = sim.connectionOf(phone, device);
          if (conn) conn.extraLatencyMs = latencyMs;
          return { body: { phone, device, latencyMs } };
        }
        if (fault === 'latency') {
          sim.latencyMs = Math.max(0, Number(body.latencyMs ?? 0));
          sim.jitterMs = Math.max(0, Number(body.jitterMs ?? 0));
          return { body: { latencyMs: sim.latencyMs, jitterMs: sim.jitterMs } };
        }
        const phone = phoneOf(body.phone);
        const device = Number(body.device ?? 1);
        const faults = sim.faultsOf(phone, device);
        if (fault === 'ack-error') {
          faults.ackErrors = { code: String(body.code ?? 500), remaining: Number(body.count ?? 1) };
          return { body: { armed: fault, ...faults.ackErrors } };
        }
        if (fault === 'force-401') {
          faults.force401 = body.enabled !== false;
          sim.inject(phone, device, '401');
          return { body: { force401: faults.force401 } };
        }
        if (fault === 'clear') {
          delete faults.ackErrors;
          delete faults.force401;
          delete faults.latencyMs;
          const conn = sim.connectionOf(phone, device);
          if (conn) conn.extraLatencyMs = 0;
          return { body: { cleared: true } };
        }
        if (!(FAULTS as readonly string[]).includes(fault)) throw bad(`fault must be one of ${[...FAULTS, 'ack-error', 'force-401', 'latency', 'clear'].join(', ')}`);
        const applied = sim.inject(phone, device, fault as (typeof FAULTS)[number]);
        return applied ? { body: { applied: fault } } : { status: 409, body: { error: 'device is not connected' } };
      },
    },
  ];
}
