/**
 * Optional engine features beyond sending. An engine session implements what it can; the service
 * answers ENGINE_FEATURE_UNSUPPORTED for the rest instead of crashing.
 */
import type { MessageRef } from './messaging.ts';

export type ChatPresence = 'available' | 'unavailable' | 'composing' | 'recording' | 'paused';
export type GroupParticipantAction = 'add' | 'remove' | 'promote' | 'demote';
export type GroupSetting = 'announcement' | 'not_announcement' | 'locked' | 'unlocked';

export interface NumberCheck {
  input: string;
  exists: boolean;
  jid: string | null;
  lid: string | null;
}

export interface GroupParticipant {
  id: string;
  phoneJid: string | null;
  lid: string | null;
  admin: 'admin' | 'superadmin' | null;
}

export interface GroupInfo {
  id: string;
  subject: string;
  description: string | null;
  owner: string | null;
  createdAt: number | null;
  announce: boolean;
  restrict: boolean;
  participants: GroupParticipant[];
}

export interface EngineFeatures {
  markRead(messages: MessageRef[]): Promise<void>;
  sendPresence(presence: ChatPresence, chatId?: string): Promise<void>;
  subscribePresence(chatId: string): Promise<void>;
  checkNumbers(phones: string[]): Promise<NumberCheck[]>;
  profilePictureUrl(jid: string): Promise<string | null>;
  setProfilePicture(image: Buffer): Promise<void>;
  setStatusText(text: string): Promise<void>;
  fetchStatusText(jid: string): Promise<string | null>;
  setBlocked(jid: string, blocked: boolean): Promise<void>;
  createGroup(subject: string, participants: string[]): Promise<GroupInfo>;
  listGroups(): Promise<GroupInfo[]>;
  getGroup(groupId: string): Promise<GroupInfo>;
  updateParticipants(groupId: string, action: GroupParticipantAction, participants: string[]): Promise<Array<{ id: string; status: string }>>;
  setGroupSubject(groupId: string, subject: string): Promise<void>;
  setGroupDescription(groupId: string, description: string): Promise<void>;
  setGroupSetting(groupId: string, setting: GroupSetting): Promise<void>;
  groupInviteCode(groupId: string): Promise<string>;
  revokeGroupInvite(groupId: string): Promise<string>;
  joinGroup(code: string): Promise<string>;
  leaveGroup(groupId: string): Promise<void>;
}
