export { handleGroupIq, isGroupIq } from './handler.ts';
export { GroupStore, isSamePerson, newInviteCode } from './store.ts';
export type { AdminRole, GroupDescription, GroupMember, GroupRecord, GroupStoreJSON, Person } from './store.ts';
export type { GroupCtx, GroupIqResult, GroupNotice } from './context.ts';
export { groupNode, groupNotification, participantNode } from './nodes.ts';
