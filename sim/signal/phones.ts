import { type BinaryNode, generateMessageID, jidDecode, type proto } from 'baileys';
import type { PhoneAccount as AccountRecord, PhoneHost as SimContext } from './host.ts';
import { takeBundle } from './bundle.ts';
import { buildMessageStanza, stanzaTypeFor } from './enc-node.ts';
import type { AppStateSyncKey } from './bootstrap.ts';
import { buildPostLinkBootstrap } from './post-link.ts';
import { decodeAppStateKeys, encodeAppStateKeys, type PhonesSnapshot, readPhonesFile, writePhonesFile } from './phones-file.ts';
import { type InboxEntry, VirtualContact } from './virtual-contact.ts';
import { VirtualDevice } from './virtual-device.ts';

/**
 * Sessions are keyed by address, and a companion can reach us as `<phone>:<d>@s.whatsapp.net`
 * or `<lid>:<d>@lid`: the phones always use the LID form for the peer device.
 */
const lidDevice = (account: AccountRecord, device: number) => `${account.lid}:${device}@lid`;

interface PhoneState {
  contact: VirtualContact;
  appStateKeys?: AppStateSyncKey[];
}

/**
 * The simulated phones as a server extension: every account's device 0 gets a Signal identity
 * (its ADV account key) and a published bundle; after a companion links, its first login gets
 * the post-link bootstrap; 1:1 messages to device 0 are decrypted into that phone's inbox; and
 * `send` makes the phone (a "virtual contact") message another account's devices.
 * Give it a `file` to keep the phones' Signal state across restarts; without one a restarted
 * simulator's phones have new keys and Baileys' existing sessions to them stop decrypting.
 */
export class SignalPhones {
  private readonly phones = new Map<string, PhoneState>();
  private readonly pendingBootstrap = new Set<string>();
  /** Errors from background work (decrypt, bootstrap), kept for tests and the admin API. */
  readonly errors: string[] = [];

  private bound: SimContext | undefined;
  private readonly file: string | undefined;
  private readonly saved: PhonesSnapshot;
  private saveTimer: NodeJS.Timeout | undefined;

  /**
   * The server may be created after this extension (startSim takes extensions up front):
   * `attach` it then. `file` keeps the phones' Signal state across restarts (see phones-file.ts).
   */
  constructor(options: { file?: string } = {}) {
    this.file = options.file;
    this.saved = options.file ? readPhonesFile(options.file) : {};
  }

  attach(ctx: SimContext): this {
    this.bound = ctx;
    return this;
  }

  get ctx(): SimContext {
    if (!this.bound) throw new Error('SignalPhones used before attach(sim)');
    return this.bound;
  }

  /** The phone of an account, created (and its keys published as device 0) on first use. */
  phone(account: AccountRecord): PhoneState {
    let state = this.phones.get(account.phone);
    if (!state) {
      const saved = this.saved[account.phone];
      const device = saved
        ? VirtualDevice.fromJSON(saved.device)
        : VirtualDevice.create({ jid: `${account.lid}@lid`, ...(account.accountKey ? { identity: account.accountKey } : {}) });
      const contact = new VirtualContact(`${account.phone}@s.whatsapp.net`, `${account.lid}@lid`, account.name, device);
      state = { contact, ...(saved?.appStateKeys ? { appStateKeys: decodeAppStateKeys(saved.appStateKeys) } : {}) };
      this.phones.set(account.phone, state);
      this.changed();
    }
    const published = this.ctx.store.keys(account.phone, 0);
    const own = state.contact.device.identityKey;
    if (!published || !Buffer.from(published.identityKey).equals(own)) {
      this.ctx.store.setKeys(account.phone, 0, state.contact.device.uploadedKeys());
    }
    return state;
  }

  inbox(account: AccountRecord): InboxEntry[] {
    return this.phone(account).contact.inbox;
  }

  phoneDevices(account: AccountRecord): number[] {
    this.phone(account);
    return [0];
  }

  linked(account: AccountRecord, device: { id: number }): void {
    this.phone(account);
    this.pendingBootstrap.add(`${account.phone}:${device.id}`);
  }

  loggedIn(conn: { device?: number }, account: AccountRecord): void {
    const key = `${account.phone}:${conn.device}`;
    if (!this.pendingBootstrap.delete(key)) return;
    this.background(`bootstrap ${key}`, () => this.bootstrap(account, conn.device!));
  }

  /** Sends the app-state key share and INITIAL_BOOTSTRAP history to a freshly linked companion. */
  async bootstrap(account: AccountRecord, device: number): Promise<void> {
    const state = this.phone(account);
    const keys = this.ctx.store.keys(account.phone, device);
    const companionJid = lidDevice(account, device);
    const hasSession = state.contact.device.hasSession(companionJid);
    if (!keys && !hasSession) throw new Error(`no keys for ${companionJid}`);
    const { appStateKeys, stanzas } = await buildPostLinkBootstrap({
      primary: state.contact.device,
      companionJid,
      ...(hasSession ? {} : { companionBundle: takeBundle(keys!) }),
      fromJid: `${account.phone}@s.whatsapp.net`,
      ...(state.appStateKeys ? { appStateKeys: state.appStateKeys } : {}),
      history: { lidPnMappings: [{ lid: `${account.lid}@lid`, pn: `${account.phone}@s.whatsapp.net` }] },
    });
    state.appStateKeys = appStateKeys;
    this.ctx.store.changed();
    this.changed();
    for (const stanza of stanzas) this.ctx.deliver(account.phone, device, stanza);
  }

  /**
   * A stanza for device 0 (1:1, or a group message fanned out by the groups module): decrypt
   * into the inbox; a 1:1 message from another account gets a delivery receipt back.
   */
  toPhone(account: AccountRecord, node: BinaryNode): boolean {
    const senderJid = node.attrs.participant ?? node.attrs.from ?? '';
    const sender = jidDecode(senderJid);
    const senderAccount = sender ? this.ctx.store.accountByUser(sender.user, sender.server) : undefined;
    this.background(`decrypt ${node.attrs.id} from ${senderJid}`, async () => {
      if (!senderAccount || !sender) throw new Error('unknown sender');
      await this.phone(account).contact.receive(node, lidDevice(senderAccount, sender.device ?? 0));
      // Own companions' copies and group messages get no receipt here.
      if (senderAccount.phone === account.phone || node.attrs.participant || sender.device === undefined) return;
      this.receipt(account, senderAccount, sender.device, sender.server, node.attrs.id ?? '');
    });
    return true;
  }

  /** Sends "read" receipts for messages in this phone's inbox (1:1 only), to the devices that sent them. */
  markRead(account: AccountRecord, ids: string[]): number {
    const wanted = new Set(ids);
    let sent = 0;
    for (const entry of this.inbox(account)) {
      if (!wanted.has(entry.id) || entry.group) continue;
      const sender = jidDecode(entry.from);
      const senderAccount = sender ? this.ctx.store.accountByUser(sender.user, sender.server) : undefined;
      if (!sender || !senderAccount || sender.device === undefined) continue;
      this.receipt(account, senderAccount, sender.device, 'lid', entry.id, 'read');
      sent++;
    }
    return sent;
  }

  /**
   * For the core to call with a `<receipt type="retry">` a companion (`sender`) sent about a
   * message from `account`'s phone: the phone re-encrypts it (a fresh session when the receipt
   * carries keys) and delivers it again. Unknown ids are ignored. Returns stanzas delivered.
   */
  async handleRetry(account: AccountRecord, receipt: BinaryNode, sender: { phone: string; device: number }): Promise<number> {
    const senderAccount = this.ctx.store.account(sender.phone);
    if (!senderAccount) return 0;
    const resent = await this.phone(account).contact.handleRetryReceipt(receipt, lidDevice(senderAccount, sender.device));
    for (const { stanza } of resent) this.ctx.deliver(sender.phone, sender.device, stanza);
    this.changed();
    return resent.length;
  }

  private receipt(account: AccountRecord, to: AccountRecord, device: number, server: string, id: string, type?: 'read'): void {
    const from = server === 'lid' ? `${account.lid}@lid` : `${account.phone}@s.whatsapp.net`;
    const attrs: Record<string, string> = { from, id, t: String(Math.floor(Date.now() / 1000)) };
    if (type) attrs.type = type;
    this.ctx.deliver(to.phone, device, { tag: 'receipt', attrs });
  }

  /**
   * The phone of `from` sends `message` to every companion device of `to`; returns the message
   * id. (The sent copy a real phone would give its own companions is not simulated.)
   */
  /**
   * Forgets the phone's Signal sessions with every companion of `to`, as a phone that lost its
   * session state does: its next message is a fresh `pkmsg`, and the companion replaces (closes)
   * its open session. Returns how many sessions were dropped.
   */
  resetSessions(from: AccountRecord, to: AccountRecord): number {
    const { contact } = this.phone(from);
    const targets = this.ctx.deviceIds(to).filter((d) => d !== 0).map((d) => lidDevice(to, d));
    const open = targets.filter((jid) => contact.device.hasSession(jid));
    for (const jid of open) contact.device.resetSession(jid);
    if (open.length > 0) this.changed();
    return open.length;
  }

  async send(from: AccountRecord, to: AccountRecord, message: proto.IMessage, options: { hidePhone?: boolean } = {}): Promise<string> {
    const { contact } = this.phone(from);
    const devices = this.ctx.deviceIds(to).filter((d) => d !== 0);
    const targets = devices.map((d) => lidDevice(to, d));
    const lookup = (jid: string) => {
      const keys = this.ctx.store.keys(to.phone, jidDecode(jid)?.device ?? 0);
      if (!keys) return undefined;
      this.ctx.store.changed();
      return takeBundle(keys);
    };
    const out = await contact.buildDirectStanzas(targets, message, lookup, undefined, options);
    for (const { jid, stanza } of out) {
      this.ctx.deliver(to.phone, jidDecode(jid)?.device ?? 0, stanza);
      this.ctx.stats.messagesRelayed++;
    }
    this.changed();
    return out[0]?.stanza.attrs.id ?? '';
  }

  /**
   * The phone of `from` posts `message` in a group: each companion device of each member gets
   * our sender key (pairwise) plus the shared `skmsg`, as `<message from=group participant=…>`.
   * Membership comes from the caller (e.g. sim/groups' `members(groupJid)` resolved to accounts).
   */
  async sendToGroup(from: AccountRecord, groupJid: string, members: AccountRecord[], message: proto.IMessage): Promise<string> {
    const { contact } = this.phone(from);
    const targets = members
      .filter((m) => m.phone !== from.phone)
      .flatMap((m) => this.ctx.deviceIds(m).filter((d) => d !== 0).map((d) => ({ account: m, device: d })));
    const byJid = new Map(targets.map((t) => [lidDevice(t.account, t.device), t]));
    const lookup = (jid: string) => {
      const target = byJid.get(jid);
      const keys = target ? this.ctx.store.keys(target.account.phone, target.device) : undefined;
      if (!keys) return undefined;
      this.ctx.store.changed();
      return takeBundle(keys);
    };
    const id = generateMessageID();
    const encrypted = await contact.encryptForGroup(groupJid, [...byJid.keys()], message, lookup);
    for (const { jid, encs } of encrypted) {
      const target = byJid.get(jid)!;
      const stanza = buildMessageStanza(
        {
          id,
          from: groupJid,
          participant: contact.lid,
          type: stanzaTypeFor(message),
          notify: contact.name,
          attrs: { addressing_mode: 'lid', participant_pn: contact.pn },
        },
        encs,
      );
      this.ctx.deliver(target.account.phone, target.device, stanza);
      this.ctx.stats.messagesRelayed++;
    }
    this.changed();
    return id;
  }

  /** Writes the phones' Signal state now (also done shortly after every change). */
  flush(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.file) return;
    const snapshot: PhonesSnapshot = { ...this.saved };
    for (const [phone, state] of this.phones) {
      snapshot[phone] = {
        device: state.contact.device.toJSON(),
        ...(state.appStateKeys ? { appStateKeys: encodeAppStateKeys(state.appStateKeys) } : {}),
      };
    }
    writePhonesFile(this.file, snapshot);
  }

  /** Sessions ratchet on every message: persist after a short debounce. */
  private changed(): void {
    if (!this.file || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      try {
        this.flush();
      } catch (err) {
        // A timer must not crash the simulator (e.g. its directory was removed on shutdown).
        this.errors.push(`save phones: ${err instanceof Error ? err.message : String(err)}`);
      }
    }, 200);
    this.saveTimer.unref();
  }

  private background(what: string, work: () => Promise<void>): void {
    work().finally(() => this.changed()).catch((err: unknown) => {
      this.errors.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      if (this.errors.length > 100) this.errors.shift();
    });
  }
}
