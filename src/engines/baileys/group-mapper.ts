/** Baileys GroupMetadata → wafleet's GroupInfo. Pure. */
import { jidNormalizedUser, type GroupMetadata } from 'baileys';
import type { GroupInfo } from '../features.ts';

export function toGroupInfo(metadata: GroupMetadata): GroupInfo {
  return {
    id: metadata.id,
    subject: metadata.subject,
    description: metadata.desc ?? null,
    owner: metadata.owner ? jidNormalizedUser(metadata.owner) : null,
    createdAt: metadata.creation ? metadata.creation * 1000 : null,
    announce: Boolean(metadata.announce),
    restrict: Boolean(metadata.restrict),
    participants: metadata.participants.map((participant) => {
      const id = jidNormalizedUser(participant.id);
      const phoneJid = participant.phoneNumber ? jidNormalizedUser(participant.phoneNumber) : id.endsWith('@s.whatsapp.net') ? id : null;
      const lid = participant.lid ? jidNormalizedUser(participant.lid) : id.endsWith('@lid') ? id : null;
      return { id, phoneJid, lid, admin: participant.admin ?? null };
    }),
  };
}
