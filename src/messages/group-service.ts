/** Groups through the engine, with ids and participants validated first. */
import type { Principal } from '../auth/principal.ts';
import type { GroupInfo, GroupParticipantAction, GroupSetting } from '../engines/features.ts';
import type { LiveSessions } from '../sessions/live-session.ts';
import { requireJid } from './jid-input.ts';

const group = (id: string) => requireJid(id, 'params.groupId', ['group']);
const members = (participants: string[]) => participants.map((p, i) => requireJid(p, `body.participants.${i}`, ['user', 'lid']));

export class GroupService {
  constructor(private readonly live: LiveSessions) {}

  async create(principal: Principal, sessionId: string, subject: string, participants: string[]): Promise<GroupInfo> {
    return (await this.live.feature(principal, sessionId, 'manage', 'createGroup'))(subject, members(participants));
  }

  async list(principal: Principal, sessionId: string): Promise<GroupInfo[]> {
    return (await this.live.feature(principal, sessionId, 'read', 'listGroups'))();
  }

  async get(principal: Principal, sessionId: string, groupId: string): Promise<GroupInfo> {
    return (await this.live.feature(principal, sessionId, 'read', 'getGroup'))(group(groupId));
  }

  async participants(principal: Principal, sessionId: string, groupId: string, action: GroupParticipantAction, participants: string[]) {
    return (await this.live.feature(principal, sessionId, 'manage', 'updateParticipants'))(group(groupId), action, members(participants));
  }

  async subject(principal: Principal, sessionId: string, groupId: string, subject: string): Promise<void> {
    await (await this.live.feature(principal, sessionId, 'manage', 'setGroupSubject'))(group(groupId), subject);
  }

  async description(principal: Principal, sessionId: string, groupId: string, description: string): Promise<void> {
    await (await this.live.feature(principal, sessionId, 'manage', 'setGroupDescription'))(group(groupId), description);
  }

  async setting(principal: Principal, sessionId: string, groupId: string, setting: GroupSetting): Promise<void> {
    await (await this.live.feature(principal, sessionId, 'manage', 'setGroupSetting'))(group(groupId), setting);
  }

  async inviteCode(principal: Principal, sessionId: string, groupId: string): Promise<string> {
    return (await this.live.feature(principal, sessionId, 'manage', 'groupInviteCode'))(group(groupId));
  }

  async revokeInvite(principal: Principal, sessionId: string, groupId: string): Promise<string> {
    return (await this.live.feature(principal, sessionId, 'manage', 'revokeGroupInvite'))(group(groupId));
  }

  async join(principal: Principal, sessionId: string, code: string): Promise<string> {
    return (await this.live.feature(principal, sessionId, 'manage', 'joinGroup'))(code.replace(/^https:\/\/chat\.whatsapp\.com\//, ''));
  }

  async leave(principal: Principal, sessionId: string, groupId: string): Promise<void> {
    await (await this.live.feature(principal, sessionId, 'manage', 'leaveGroup'))(group(groupId));
  }
}
