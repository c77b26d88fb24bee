import {
  type BinaryNode,
  extractE2ESessionFromRetryReceipt,
  generateMessageID,
  getBinaryNodeChild,
  getBinaryNodeChildren,
  jidDecode,
  proto,
} from 'baileys';
import { buildEncNode, buildMessageStanza, encNodesOf, readEncNode, stanzaTypeFor } from './enc-node.ts';
import type { DeviceBundle } from './types.ts';
import { VirtualDevice } from './virtual-device.ts';

/** Looks up (and, like the real server, consumes a one-time prekey of) a device's bundle. */
export type BundleLookup = (deviceJid: string) => DeviceBundle | undefined;

export interface InboxEntry {
  id: string;
  /** Sending device JID as given to `receive`. */
  from: string;
  /** Group JID for group messages. */
  group?: string;
  timestamp: number;
  message: proto.Message;
  /** How many times this id arrived from this sender (a re-send after a crash or a move shows > 1). */
  copies?: number;
}

/** One addressed `<enc>` for one target device: the server wraps it in that device's stanza. */
export interface AddressedEnc {
  jid: string;
  enc: BinaryNode;
}

/**
 * An account with no Baileys client: its phone (device 0) is a VirtualDevice. Gateway tests use
 * it as the other party. Addresses: `pn` like `5511888@s.whatsapp.net`, `lid` like `9876@lid`;
 * the device is keyed by its LID form because Baileys 7 fetches and encrypts for LID addresses.
 */
/** How many sent 1:1 messages are kept for answering retry receipts. */
const SENT_HISTORY = 500;

export class VirtualContact {
  readonly device: VirtualDevice;
  readonly inbox: InboxEntry[] = [];
  /** Recently sent 1:1 messages by stanza id, so a retry receipt can be answered. */
  private readonly sent = new Map<string, proto.IMessage>();
  /** Ids sent without `sender_pn` (see buildDirectStanzas `hidePhone`), so a resend hides it too. */
  private readonly sentHidingPhone = new Set<string>();

  constructor(
    readonly pn: string,
    readonly lid: string,
    readonly name = 'Virtual Contact',
    device?: VirtualDevice,
  ) {
    this.device = device ?? VirtualDevice.create({ jid: lid });
  }

  /** Encrypts one message for each target device; bundles are looked up only where no session exists. */
  async encryptFor(targets: string[], message: proto.IMessage, lookup: BundleLookup): Promise<AddressedEnc[]> {
    const out: AddressedEnc[] = [];
    for (const jid of targets) {
      const bundle = this.device.hasSession(jid) ? undefined : lookup(jid);
      out.push({ jid, enc: buildEncNode(await this.device.encrypt(jid, message, bundle)) });
    }
    return out;
  }

  /**
   * A ready 1:1 stanza per target device. `from` is this contact's device 0 in LID form, as WhatsApp
   * addresses LID-migrated users, with `sender_pn` so Baileys learns the LID↔PN mapping — unless
   * `hidePhone`: a sender whose number the receiver may not see (WhatsApp then sends the LID alone).
   */
  async buildDirectStanzas(targets: string[], message: proto.IMessage, lookup: BundleLookup, id = generateMessageID(), options: { hidePhone?: boolean } = {}) {
    const encs = await this.encryptFor(targets, message, lookup);
    this.sent.set(id, message);
    if (options.hidePhone) this.sentHidingPhone.add(id);
    if (this.sent.size > SENT_HISTORY) {
      const oldest = this.sent.keys().next().value!;
      this.sent.delete(oldest);
      this.sentHidingPhone.delete(oldest);
    }
    return encs.map(({ jid, enc }) => ({ jid, stanza: this.directStanza(id, message, enc) }));
  }

  private directStanza(id: string, message: proto.IMessage, enc: BinaryNode): BinaryNode {
    const attrs: Record<string, string> = this.sentHidingPhone.has(id) ? { addressing_mode: 'lid' } : { sender_pn: this.pn, addressing_mode: 'lid' };
    return buildMessageStanza({ id, from: this.lid, type: stanzaTypeFor(message), notify: this.name, attrs }, [enc]);
  }

  /**
   * Answers a Baileys `<receipt type="retry">` (it could not decrypt our message): re-encrypts
   * the original for that device. When the receipt carries `<keys>` (Baileys dropped its
   * session), a fresh session is built from them, so the resend is a `pkmsg`. Returns [] for
   * an unknown (or too old) message id. 1:1 only; group retries are not handled.
   */
  async handleRetryReceipt(receipt: BinaryNode, senderJid: string): Promise<Array<{ jid: string; stanza: BinaryNode }>> {
    const id = receipt.attrs.id ?? '';
    const message = this.sent.get(id);
    if (!message) return [];
    const bundle = extractE2ESessionFromRetryReceipt(receipt);
    if (bundle) this.device.resetSession(senderJid);
    const count = getBinaryNodeChild(receipt, 'retry')?.attrs.count ?? '1';
    const payload = await this.device.encrypt(senderJid, message, bundle ?? undefined);
    return [{ jid: senderJid, stanza: this.directStanza(id, message, buildEncNode(payload, { count })) }];
  }

  /**
   * Group send: every target gets our sender key distribution pairwise, then one shared `skmsg`.
   * Returns, per device, the `<enc>` nodes to put in that device's stanza (`from=group`, `participant=lid`).
   */
  async encryptForGroup(groupJid: string, targets: string[], message: proto.IMessage, lookup: BundleLookup) {
    const skdm = await this.device.groups.distributionMessage(groupJid);
    const distribution = { senderKeyDistributionMessage: { groupId: groupJid, axolotlSenderKeyDistributionMessage: skdm } };
    const pairwise = await this.encryptFor(targets, distribution, lookup);
    const skmsg = buildEncNode({
      type: 'skmsg',
      ciphertext: await this.device.groups.encrypt(groupJid, proto.Message.encode(message).finish()),
    });
    return pairwise.map(({ jid, enc }) => ({ jid, encs: [enc, skmsg] }));
  }

  /** True when `jid` names this contact's device 0 in PN or LID form (`u@lid`, `u:0@lid`, …). */
  isOwnDevice(jid: string): boolean {
    const decoded = jidDecode(jid);
    if (!decoded || (decoded.device ?? 0) !== 0) return false;
    return [this.pn, this.lid].some((own) => jidDecode(own)?.user === decoded.user);
  }

  /**
   * Decrypts the `<enc>`s meant for this contact and records them in the inbox. Accepts the
   * stanza as delivered to a device (`<message from><enc/>…</message>`) or as Baileys sent it to
   * the server (`<message to><participants><to jid><enc/></to>…</participants>[<enc skmsg/>]</message>`).
   * `senderJid` is the sending device (the `participant` in groups). Pure sender-key
   * distributions are processed but not put in the inbox.
   */
  async receive(stanza: BinaryNode, senderJid: string): Promise<InboxEntry[]> {
    const group = [stanza.attrs.from, stanza.attrs.to].find((jid) => jid && jidDecode(jid)?.server === 'g.us');
    const received: InboxEntry[] = [];
    for (const node of this.encsForMe(stanza)) {
      const message = await this.device.decrypt(senderJid, readEncNode(node), group);
      if (isOnlyDistribution(message)) continue;
      const entry: InboxEntry = {
        id: stanza.attrs.id ?? '',
        from: senderJid,
        ...(group ? { group } : {}),
        timestamp: Number(stanza.attrs.t ?? Math.floor(Date.now() / 1000)),
        message,
      };
      received.push(entry);
      // A phone shows a message once per id: a sender that re-sends after a crash (same id) is not a new message.
      const senderUser = jidDecode(senderJid)?.user;
      const seen = this.inbox.find((earlier) => earlier.id === entry.id && jidDecode(earlier.from)?.user === senderUser);
      if (seen) seen.copies = (seen.copies ?? 1) + 1;
      else this.inbox.push({ ...entry, copies: 1 });
    }
    return received;
  }

  /** Pairwise encs addressed to us come first, then stanza-level encs (the group `skmsg`). */
  private encsForMe(stanza: BinaryNode): BinaryNode[] {
    const participants = getBinaryNodeChild(stanza, 'participants');
    const mine = participants
      ? getBinaryNodeChildren(participants, 'to')
          .filter((to) => this.isOwnDevice(to.attrs.jid ?? ''))
          .flatMap((to) => encNodesOf(to))
      : [];
    return [...mine, ...encNodesOf(stanza)];
  }
}

function isOnlyDistribution(message: proto.Message): boolean {
  const fields = Object.keys(proto.Message.toObject(message));
  return fields.length === 1 && fields[0] === 'senderKeyDistributionMessage';
}
