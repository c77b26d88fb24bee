import libsignal from 'libsignal';
import { jidDecode } from 'baileys';

/**
 * Maps a device JID to the libsignal address this store keys sessions by. It follows Baileys'
 * naming (`<user>` for PN, `<user>_<domainType>` for LID/hosted, `.device` suffix) so logs and
 * state dumps read the same on both sides. A PN JID and a LID JID of the same device are
 * different addresses: callers must pick one form per peer (the LID form, as 7.x does).
 */
export function jidToAddress(jid: string): libsignal.ProtocolAddress {
  const decoded = jidDecode(jid);
  if (!decoded?.user) throw new Error(`not a user JID: ${jid}`);
  const name = decoded.domainType ? `${decoded.user}_${decoded.domainType}` : decoded.user;
  return new libsignal.ProtocolAddress(name, decoded.device ?? 0);
}
