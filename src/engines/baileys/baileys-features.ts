/** EngineFeatures over a live Baileys socket. */
import { jidNormalizedUser, type WASocket } from 'baileys';
import type { EngineFeatures } from '../features.ts';
import { refToKey } from './outbound-mapper.ts';
import { toGroupInfo } from './group-mapper.ts';

export function createBaileysFeatures(socket: () => WASocket): EngineFeatures {
  return {
    async markRead(messages) {
      await socket().readMessages(messages.map(refToKey));
    },
    async sendPresence(presence, chatId) {
      await socket().sendPresenceUpdate(presence, chatId);
    },
    async subscribePresence(chatId) {
      await socket().presenceSubscribe(chatId);
    },
    async checkNumbers(phones) {
      const found = (await socket().onWhatsApp(...phones)) ?? [];
      return phones.map((input) => {
        const hit = found.find((entry) => entry.jid.startsWith(`${input}@`));
        const lid = hit && 'lid' in hit && typeof hit.lid === 'string' ? jidNormalizedUser(hit.lid) : null;
        return { input, exists: Boolean(hit?.exists), jid: hit ? jidNormalizedUser(hit.jid) : null, lid };
      });
    },
    async profilePictureUrl(jid) {
      try {
        return (await socket().profilePictureUrl(jid, 'image')) ?? null;
      } catch (error) {
        // WhatsApp answers 404/401 for "no picture" or "not visible to you": both mean none to show.
        // Baileys carries WhatsApp's code in `data` (its own output status is a generic 500).
        const code = (error as { data?: unknown }).data;
        if (code === 404 || code === 401) return null;
        throw error;
      }
    },
    async setProfilePicture(image) {
      const sock = socket();
      await sock.updateProfilePicture(jidNormalizedUser(sock.user?.id ?? ''), image);
    },
    async setStatusText(text) {
      await socket().updateProfileStatus(text);
    },
    async fetchStatusText(jid) {
      const result = (await socket().fetchStatus(jid)) as Array<{ status?: { status?: string } }> | undefined;
      return result?.[0]?.status?.status ?? null;
    },
    async setBlocked(jid, blocked) {
      await socket().updateBlockStatus(jid, blocked ? 'block' : 'unblock');
    },
    async createGroup(subject, participants) {
      return toGroupInfo(await socket().groupCreate(subject, participants));
    },
    async listGroups() {
      return Object.values(await socket().groupFetchAllParticipating()).map(toGroupInfo);
    },
    async getGroup(groupId) {
      return toGroupInfo(await socket().groupMetadata(groupId));
    },
    async updateParticipants(groupId, action, participants) {
      const results = await socket().groupParticipantsUpdate(groupId, participants, action);
      return results.map((result) => ({ id: result.jid ? jidNormalizedUser(result.jid) : '', status: String(result.status) }));
    },
    async setGroupSubject(groupId, subject) {
      await socket().groupUpdateSubject(groupId, subject);
    },
    async setGroupDescription(groupId, description) {
      await socket().groupUpdateDescription(groupId, description);
    },
    async setGroupSetting(groupId, setting) {
      await socket().groupSettingUpdate(groupId, setting);
    },
    async groupInviteCode(groupId) {
      return (await socket().groupInviteCode(groupId)) ?? '';
    },
    async revokeGroupInvite(groupId) {
      return (await socket().groupRevokeInvite(groupId)) ?? '';
    },
    async joinGroup(code) {
      return (await socket().groupAcceptInvite(code)) ?? '';
    },
    async leaveGroup(groupId) {
      await socket().groupLeave(groupId);
    },
  };
}
