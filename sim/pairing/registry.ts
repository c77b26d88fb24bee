import { randomBytes } from 'node:crypto';
import { type BinaryNode, getBinaryNodeChild, getBinaryNodeChildBuffer, type proto } from 'baileys';
import type { Connection } from '../server/connection.ts';
import { iqResult, S_WHATSAPP_NET, type SimContext, unixNow } from '../server/context.ts';
import { type KeyPair, randomKeyPair } from '../server/keys.ts';
import type { AccountRecord, DeviceRecord } from '../state/types.ts';
import { finishPairCode, unwrapEphemeral, wrapEphemeral } from './pair-code.ts';
import { buildPairSuccess, parseQr } from './pair-success.ts';

/** A connection that registered (no username) and waits to be linked to an account. */
interface PendingRegistration {
  conn: Connection;
  refs: string[];
  identityKey: Buffer;
  registrationId: number;
  signedPreKey: { keyId: number; publicKey: Buffer; signature: Buffer };
  pushName: string;
  /** Set once the companion sent companion_hello (pairing by code). */
  codeRequest?: { phone: string; wrappedEphemeral: Buffer; ref: string; phoneEphemeral?: KeyPair; companionEphemeral?: Buffer; name?: string };
  /** Resolves when the companion answers pair-success with pair-device-sign. */
  signed?: { iqId: string; resolve: () => void };
}

export interface LinkedDevice {
  phone: string;
  lid: string;
  device: number;
  jid: string;
  lidJid: string;
}

export type OnLinked = (account: AccountRecord, device: DeviceRecord) => void;

/** What WhatsApp sends: Baileys then rotates through them, 60 s for the first QR and 20 s for each next one. */
const DEFAULT_REF_COUNT = 6;

/**
 * Pairing state: QR refs handed to registering connections, the phone's side of pair-by-code,
 * pair-success and the 515 restart once the companion signed its device identity.
 */
export class PairingRegistry {
  private readonly pending = new Map<number, PendingRegistration>();

  constructor(
    private readonly ctx: SimContext,
    private readonly onLinked: OnLinked,
    private readonly refCount: number = DEFAULT_REF_COUNT,
  ) {}

  /** A registration ClientPayload arrived: remember its keys and hand out QR refs. */
  startRegistration(conn: Connection, payload: proto.ClientPayload): void {
    const data = payload.devicePairingData;
    if (!data?.eIdent || !data.eRegid || !data.eSkeyVal || !data.eSkeySig || !data.eSkeyId) {
      conn.endWith({ tag: 'failure', attrs: { reason: '400' } });
      return;
    }
    const refs = Array.from({ length: this.refCount }, () => `2@${randomBytes(24).toString('base64')}`);
    this.pending.set(conn.id, {
      conn,
      refs,
      identityKey: Buffer.from(data.eIdent),
      registrationId: Buffer.from(data.eRegid).readUInt32BE(0),
      signedPreKey: {
        keyId: Buffer.from(data.eSkeyId).readUIntBE(0, 3),
        publicKey: Buffer.from(data.eSkeyVal),
        signature: Buffer.from(data.eSkeySig),
      },
      pushName: payload.pushName ?? '',
    });
    this.ctx.stats.registrations++;
    conn.send({
      tag: 'iq',
      attrs: { from: S_WHATSAPP_NET, type: 'set', id: randomBytes(6).toString('hex'), xmlns: 'md' },
      content: [{ tag: 'pair-device', attrs: {}, content: refs.map((ref) => ({ tag: 'ref', attrs: {}, content: Buffer.from(ref) })) }],
    });
  }

  forget(conn: Connection): void {
    this.pending.delete(conn.id);
  }

  pendingCount(): number {
    return this.pending.size;
  }

  /** The simulated phone scans a QR string: link the device to `phone` (creating the account). */
  async scanQr(qr: string, phone: string, name?: string): Promise<LinkedDevice> {
    const parsed = parseQr(qr);
    const reg = [...this.pending.values()].find((p) => p.refs.includes(parsed.ref) && p.conn.clientStatic?.equals(parsed.noiseKey));
    if (!reg) throw Object.assign(new Error('no registering connection shows this QR'), { status: 404 });
    if (!reg.identityKey.equals(parsed.identityKey)) throw Object.assign(new Error('QR identity key mismatch'), { status: 400 });
    return this.link(reg, phone, name, parsed.advSecret, parsed.platform);
  }

  /** The simulated phone's user types the code the companion displays. */
  async enterPairCode(phone: string, code: string, name?: string): Promise<LinkedDevice> {
    const reg = [...this.pending.values()].find((p) => p.codeRequest?.phone === phone && !p.codeRequest.phoneEphemeral);
    if (!reg?.codeRequest) throw Object.assign(new Error(`no companion is waiting for a code for ${phone}`), { status: 404 });
    const account = this.ctx.store.ensureAccount(phone, name);
    const request = reg.codeRequest;
    request.companionEphemeral = await unwrapEphemeral(request.wrappedEphemeral, code.replace(/-/g, '').toUpperCase());
    const phoneEphemeral = randomKeyPair();
    request.phoneEphemeral = phoneEphemeral;
    request.name = name;
    const wrapped = await wrapEphemeral(phoneEphemeral.public, code.replace(/-/g, '').toUpperCase());
    const waitLinked = new Promise<LinkedDevice>((resolve, reject) => {
      this.codeWaiters.set(reg.conn.id, { resolve, reject });
    });
    reg.conn.send({
      tag: 'notification',
      attrs: { from: S_WHATSAPP_NET, type: 'link_code_companion_reg', id: randomBytes(6).toString('hex'), t: unixNow() },
      content: [
        {
          tag: 'link_code_companion_reg',
          attrs: {},
          content: [
            { tag: 'link_code_pairing_ref', attrs: {}, content: Buffer.from(request.ref) },
            { tag: 'primary_identity_pub', attrs: {}, content: account.accountKey.public },
            { tag: 'link_code_pairing_wrapped_primary_ephemeral_pub', attrs: {}, content: wrapped },
          ],
        },
      ],
    });
    return withTimeout(waitLinked, 15_000, 'companion did not finish pairing by code');
  }

  private readonly codeWaiters = new Map<number, { resolve: (d: LinkedDevice) => void; reject: (e: Error) => void }>();

  /** `<iq xmlns=md>` from a registering connection. Returns true when handled. */
  handleIq(conn: Connection, iq: BinaryNode): boolean {
    const reg = this.pending.get(conn.id);
    if (!reg) return false;
    if (iq.attrs.type === 'result' && reg.signed && iq.attrs.id === reg.signed.iqId) {
      reg.signed.resolve();
      return true;
    }
    const link = getBinaryNodeChild(iq, 'link_code_companion_reg');
    if (!link) return false;
    if (link.attrs.stage === 'companion_hello') {
      const wrapped = getBinaryNodeChildBuffer(link, 'link_code_pairing_wrapped_companion_ephemeral_pub');
      const phone = (link.attrs.jid ?? '').split('@')[0]!.split(':')[0]!;
      if (!wrapped || !phone) return false;
      const ref = randomBytes(16).toString('base64url');
      reg.codeRequest = { phone, wrappedEphemeral: Buffer.from(wrapped), ref };
      conn.send(iqResult(iq, [{ tag: 'link_code_companion_reg', attrs: {}, content: [{ tag: 'link_code_pairing_ref', attrs: {}, content: Buffer.from(ref) }] }]));
      return true;
    }
    if (link.attrs.stage === 'companion_finish') {
      void this.finishCode(reg, iq, link);
      return true;
    }
    return false;
  }

  private async finishCode(reg: PendingRegistration, iq: BinaryNode, link: BinaryNode): Promise<void> {
    const waiter = this.codeWaiters.get(reg.conn.id);
    this.codeWaiters.delete(reg.conn.id);
    const request = reg.codeRequest;
    try {
      const bundle = getBinaryNodeChildBuffer(link, 'link_code_pairing_wrapped_key_bundle');
      if (!request?.phoneEphemeral || !request.companionEphemeral || !bundle) throw new Error('companion_finish out of order');
      const account = this.ctx.store.ensureAccount(request.phone, request.name);
      const { advSecret, companionIdentityKey } = finishPairCode({
        bundle: Buffer.from(bundle),
        phoneEphemeral: request.phoneEphemeral,
        companionEphemeral: request.companionEphemeral,
        accountKey: account.accountKey,
      });
      if (!companionIdentityKey.equals(reg.identityKey)) throw new Error('companion identity mismatch');
      reg.conn.send(iqResult(iq));
      waiter?.resolve(await this.link(reg, request.phone, request.name, advSecret, ''));
    } catch (err) {
      reg.conn.send({ ...iqResult(iq), attrs: { ...iqResult(iq).attrs, type: 'error' }, content: [{ tag: 'error', attrs: { code: '401', text: 'not-authorized' } }] });
      waiter?.reject(Object.assign(new Error(`pairing code rejected: ${(err as Error).message}`), { status: 401 }));
    }
  }

  /** Creates the device, sends pair-success, waits for pair-device-sign, then asks for a restart (515). */
  private async link(reg: PendingRegistration, phone: string, name: string | undefined, advSecret: Buffer, platform: string): Promise<LinkedDevice> {
    this.pending.delete(reg.conn.id);
    const account = this.ctx.store.ensureAccount(phone, name);
    const device = this.ctx.store.addDevice(account, {
      noiseKey: reg.conn.clientStatic!,
      identityKey: reg.identityKey,
      registrationId: reg.registrationId,
      platform,
      pushName: reg.pushName,
    });
    this.ctx.store.setKeys(phone, device.id, {
      registrationId: reg.registrationId,
      identityKey: reg.identityKey,
      signedPreKey: reg.signedPreKey,
      preKeys: [],
    });
    const iqId = randomBytes(6).toString('hex');
    const signed = new Promise<void>((resolve) => (reg.signed = { iqId, resolve }));
    this.pending.set(reg.conn.id, reg);
    reg.conn.send(buildPairSuccess({ id: iqId, account, device, advSecret, companionIdentityKey: reg.identityKey }));
    try {
      await withTimeout(signed, 10_000, 'companion did not sign its device identity');
    } catch (err) {
      this.ctx.store.removeDevice(phone, device.id);
      throw err;
    } finally {
      this.pending.delete(reg.conn.id);
    }
    this.ctx.stats.pairings++;
    this.onLinked(account, device);
    reg.conn.endWith({ tag: 'stream:error', attrs: { code: '515' } });
    return {
      phone,
      lid: account.lid,
      device: device.id,
      jid: `${phone}:${device.id}@s.whatsapp.net`,
      lidJid: `${account.lid}:${device.id}@lid`,
    };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(Object.assign(new Error(message), { status: 504 })), ms))),
  ]).finally(() => clearTimeout(timer));
}
