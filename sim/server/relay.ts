import { type BinaryNode, getBinaryNodeChild, jidDecode, jidEncode } from 'baileys';
import type { AccountRecord } from '../state/types.ts';
import { childrenOf, type SimContext, unixNow } from './context.ts';
import type { Connection } from './connection.ts';

/*
 * 1:1 message and receipt relay. The server never decrypts: each `<to jid>` of a
 * `<participants>` list carries that device's `<enc>`; it is delivered as its own
 * `<message>` (or queued with offline="1"). The sender gets an `<ack class=message>`.
 */

/** Who sent which message id, so receipts find their way back. Bounded FIFO. */
const MAX_TRACKED = 50_000;

export interface SentRecord {
  phone: string;
  device: number;
  /** Domain the sender addressed the chat in ('lid' or 's.whatsapp.net'): receipts come back in it. */
  server: string;
}

export class MessageRelay {
  private readonly sent = new Map<string, SentRecord>();

  constructor(private readonly ctx: SimContext) {}

  private remember(id: string, record: SentRecord): void {
    this.sent.set(id, record);
    if (this.sent.size > MAX_TRACKED) this.sent.delete(this.sent.keys().next().value!);
  }

  /** Addresses `account`'s device in the domain the stanza uses. */
  private jidOf(account: AccountRecord, device: number | undefined, server: string): string {
    return jidEncode(server === 'lid' ? account.lid : account.phone, server as 'lid' | 's.whatsapp.net', device);
  }

  handleMessage(conn: Connection, node: BinaryNode): void {
    const sender = this.ctx.store.account(conn.phone!)!;
    const id = node.attrs.id ?? '';
    const to = node.attrs.to ?? '';
    const chat = jidDecode(to);
    const faults = this.ctx.faultsOf(sender.phone, conn.device!);
    const ack: BinaryNode = { tag: 'ack', attrs: { class: 'message', id, from: to, t: unixNow() } };
    if (faults.ackErrors && faults.ackErrors.remaining > 0) {
      faults.ackErrors.remaining--;
      ack.attrs.error = faults.ackErrors.code;
      conn.send(ack);
      return;
    }
    if (!chat || chat.server === 'g.us' || chat.server === 'broadcast' || chat.server === 'newsletter') {
      // Groups/status/newsletters belong to other modules; ack so the sender is not left waiting.
      conn.send(ack);
      return;
    }
    const server = chat.server === 'lid' ? 'lid' : 's.whatsapp.net';
    this.remember(id, { phone: sender.phone, device: conn.device!, server });
    const deviceIdentity = getBinaryNodeChild(node, 'device-identity');
    const participants = childrenOf(getBinaryNodeChild(node, 'participants'));
    // A peer message (category=peer) carries its <enc> directly and goes to the sender's own devices.
    const targets = participants.length
      ? participants.map((p) => ({ jid: p.attrs.jid ?? '', enc: childrenOf(p) }))
      : [{ jid: to, enc: childrenOf(node).filter((c) => c.tag === 'enc') }];
    for (const target of targets) {
      const decoded = jidDecode(target.jid);
      if (!decoded) continue;
      const recipient = this.ctx.store.accountByUser(decoded.user, decoded.server);
      if (!recipient) continue;
      const ownDevice = recipient.phone === sender.phone;
      const attrs: Record<string, string> = {
        from: this.jidOf(sender, conn.device, server),
        id,
        t: unixNow(),
        type: node.attrs.type ?? 'text',
        notify: sender.name,
      };
      if (server === 'lid') attrs.sender_pn = `${sender.phone}@s.whatsapp.net`;
      else attrs.sender_lid = `${sender.lid}@lid`;
      if (ownDevice) attrs.recipient = to;
      if (node.attrs.category) attrs.category = node.attrs.category;
      if (node.attrs.edit) attrs.edit = node.attrs.edit;
      const content = deviceIdentity ? [...target.enc, deviceIdentity] : target.enc;
      const stanza: BinaryNode = { tag: 'message', attrs, content };
      const device = decoded.device ?? 0;
      if (device === 0) {
        // Device 0 is the simulated phone: it has no socket, its Signal side (if any) takes it.
        this.ctx.toPhone(recipient, stanza);
        continue;
      }
      if (this.ctx.deliver(recipient.phone, device, stanza) === 'queued') this.ctx.stats.messagesQueued++;
      this.ctx.stats.messagesRelayed++;
    }
    conn.send(ack);
  }

  /** `<receipt id to [type] [participant]>` from a receiver: relay to the sender's devices. */
  handleReceipt(conn: Connection, node: BinaryNode): void {
    const id = node.attrs.id ?? '';
    conn.send({ tag: 'ack', attrs: { class: 'receipt', id, from: node.attrs.to ?? '', ...(node.attrs.type ? { type: node.attrs.type } : {}) } });
    const type = node.attrs.type;
    if (type === 'read-self' || type === 'sender' || type === 'hist_sync' || type === 'peer_msg') return;
    const to = jidDecode(node.attrs.to ?? '');
    if (!to) return;
    const receiver = this.ctx.store.account(conn.phone!)!;
    if (to.server === 'g.us') return this.groupReceipt(receiver, node);
    const origin = this.sent.get(id);
    const senderAccount = origin ? this.ctx.store.account(origin.phone) : this.ctx.store.accountByUser(to.user, to.server);
    if (!senderAccount || senderAccount.phone === receiver.phone) return;
    const server = origin?.server ?? (to.server === 'lid' ? 'lid' : 's.whatsapp.net');
    const attrs: Record<string, string> = { from: this.jidOf(receiver, undefined, server), id, t: node.attrs.t ?? unixNow() };
    // A retry names the receiving device as participant: the sender re-encrypts for exactly that
    // device and finds the message in its cache under the chat (user) jid in `from`.
    if (type === 'retry') attrs.participant = this.jidOf(receiver, conn.device, server);
    // "inactive" is what a client sends when not marked online: still a delivery.
    if (type && type !== 'inactive') attrs.type = type;
    const stanza: BinaryNode = { tag: 'receipt', attrs, ...(Array.isArray(node.content) ? { content: node.content } : {}) };
    // Not sent through the relay: the message came from that account's simulated phone.
    if (!origin) this.ctx.receiptToPhone(senderAccount, node, { phone: receiver.phone, device: conn.device! });
    const devices = origin ? [origin.device] : this.ctx.deviceIds(senderAccount).filter((d) => d !== 0);
    for (const device of devices) this.ctx.deliver(senderAccount.phone, device, stanza);
    this.ctx.stats.receiptsRelayed++;
  }

  /** Group receipt `<receipt to=G participant=<author device>>`: back to the author's device, naming the reader. */
  private groupReceipt(receiver: AccountRecord, node: BinaryNode): void {
    const author = jidDecode(node.attrs.participant ?? '');
    const authorAccount = author ? this.ctx.store.accountByUser(author.user, author.server) : undefined;
    if (!author || !authorAccount || authorAccount.phone === receiver.phone) return;
    const attrs: Record<string, string> = {
      from: node.attrs.to!,
      participant: author.server === 'lid' ? `${receiver.lid}@lid` : `${receiver.phone}@s.whatsapp.net`,
      id: node.attrs.id ?? '',
      t: node.attrs.t ?? unixNow(),
    };
    if (node.attrs.type && node.attrs.type !== 'inactive') attrs.type = node.attrs.type;
    const devices = author.device !== undefined ? [author.device] : this.ctx.deviceIds(authorAccount).filter((d) => d !== 0);
    for (const device of devices) if (device !== 0) this.ctx.deliver(authorAccount.phone, device, { tag: 'receipt', attrs, ...(Array.isArray(node.content) ? { content: node.content } : {}) });
    this.ctx.stats.receiptsRelayed++;
  }
}
