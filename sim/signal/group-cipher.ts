import { GroupCipher } from 'baileys/lib/Signal/Group/group_cipher.js';
import { GroupSessionBuilder } from 'baileys/lib/Signal/Group/group-session-builder.js';
import { SenderKeyDistributionMessage } from 'baileys/lib/Signal/Group/sender-key-distribution-message.js';
import { SenderKeyName } from 'baileys/lib/Signal/Group/sender-key-name.js';
import { jidToAddress } from './address.ts';
import type { MemorySignalStore } from './memory-store.ts';
import { padRandomMax16 } from './padding.ts';

/**
 * Group (sender key) side of a virtual device. It reuses Baileys' sender-key implementation
 * (exported from the package, not copied) so the chain and message formats are the ones the
 * real client produces and accepts. Sender keys are named (group, author device address),
 * exactly like Baileys names them, so the author JID must be the one the stanza carries as
 * `participant`.
 */
export class VirtualGroupCipher {
  constructor(
    private readonly store: MemorySignalStore,
    private readonly ownJid: string,
  ) {}

  private name(groupJid: string, authorJid: string): SenderKeyName {
    return new SenderKeyName(groupJid, jidToAddress(authorJid));
  }

  /** Our sender key distribution message for the group (creates our sender key on first use). */
  async distributionMessage(groupJid: string): Promise<Uint8Array> {
    const skdm = await new GroupSessionBuilder(this.store).create(this.name(groupJid, this.ownJid));
    return skdm.serialize();
  }

  /** Encrypts padded plaintext with our sender key: the `skmsg` body. */
  async encrypt(groupJid: string, plaintext: Uint8Array): Promise<Uint8Array> {
    const name = this.name(groupJid, this.ownJid);
    await new GroupSessionBuilder(this.store).create(name);
    return new GroupCipher(this.store, name).encrypt(padRandomMax16(plaintext));
  }

  async processDistribution(groupJid: string, authorJid: string, serialized: Uint8Array): Promise<void> {
    const message = new SenderKeyDistributionMessage(null, null, null, null, serialized);
    await new GroupSessionBuilder(this.store).process(this.name(groupJid, authorJid), message);
  }

  /** Returns the padded plaintext of an author's `skmsg`. */
  async decrypt(groupJid: string, authorJid: string, ciphertext: Uint8Array): Promise<Uint8Array> {
    return new GroupCipher(this.store, this.name(groupJid, authorJid)).decrypt(ciphertext);
  }
}
