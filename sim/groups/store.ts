// In-memory group state for the simulator, serializable to JSON.
// Every person is known by both identities: 7.x groups are LID-addressed (`addressing_mode="lid"`),
// with the phone number carried alongside.
import { randomBytes } from 'node:crypto';

export interface Person {
  /** Phone-number user jid, e.g. "15550001111@s.whatsapp.net" (no device). */
  pn: string;
  /** LID user jid, e.g. "123456789012345@lid" (no device). */
  lid: string;
}

export type AdminRole = 'superadmin' | 'admin' | null;

export interface GroupMember extends Person {
  admin: AdminRole;
}

export interface GroupDescription {
  body: string;
  id: string;
  owner: Person;
  /** unix seconds */
  t: number;
}

export interface GroupRecord {
  /** "120363…@g.us" */
  id: string;
  subject: string;
  subjectOwner: Person;
  subjectTime: number;
  creation: number;
  creator: Person;
  desc?: GroupDescription;
  /** Only admins may send (announcement). */
  announce: boolean;
  /** Only admins may edit group info (locked). */
  restrict: boolean;
  memberAddMode: 'admin_add' | 'all_member_add';
  ephemeral?: number;
  inviteCode: string;
  participants: GroupMember[];
}

export interface GroupStoreJSON {
  version: 1;
  seq: number;
  groups: GroupRecord[];
}

const CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function newInviteCode(): string {
  return [...randomBytes(22)].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
}

/** Same user, whichever identity (PN or LID, with or without device) the jid uses. */
export function isSamePerson(p: Person, jid: string): boolean {
  const user = jid.replace(/:\d+(?=@)/, '');
  return user === p.pn || user === p.lid;
}

export class GroupStore {
  private readonly groups = new Map<string, GroupRecord>();
  private seq: number;

  constructor(seed = Math.floor(Math.random() * 1e6)) {
    this.seq = seed;
  }

  /** A fresh group jid in the 120363… range real groups use. */
  nextGroupJid(nowMs: number): string {
    this.seq = (this.seq + 1) % 1e6;
    const stamp = String(Math.floor(nowMs / 1000) % 1e9).padStart(9, '0');
    return `120363${stamp}${String(this.seq).padStart(6, '0')}@g.us`;
  }

  add(group: GroupRecord): void {
    this.groups.set(group.id, group);
  }

  get(jid: string): GroupRecord | undefined {
    return this.groups.get(jid.includes('@') ? jid : `${jid}@g.us`);
  }

  delete(jid: string): void {
    this.groups.delete(jid);
  }

  all(): GroupRecord[] {
    return [...this.groups.values()];
  }

  byInviteCode(code: string): GroupRecord | undefined {
    for (const g of this.groups.values()) if (g.inviteCode === code) return g;
    return undefined;
  }

  /** Members of a group (for message fan-out): PN + LID + role. Empty when unknown. */
  members(groupJid: string): GroupMember[] {
    return [...(this.get(groupJid)?.participants ?? [])];
  }

  member(group: GroupRecord, jid: string): GroupMember | undefined {
    return group.participants.find((p) => isSamePerson(p, jid));
  }

  isMember(groupJid: string, jid: string): boolean {
    const g = this.get(groupJid);
    return !!g && !!this.member(g, jid);
  }

  /** Groups the person participates in. */
  groupsOf(jid: string): GroupRecord[] {
    return this.all().filter((g) => !!this.member(g, jid));
  }

  toJSON(): GroupStoreJSON {
    return { version: 1, seq: this.seq, groups: structuredClone(this.all()) };
  }

  static fromJSON(data: GroupStoreJSON): GroupStore {
    const store = new GroupStore(data.seq);
    for (const g of data.groups) store.add(structuredClone(g));
    return store;
  }
}
