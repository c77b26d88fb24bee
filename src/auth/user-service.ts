/**
 * User management: platform admins manage everyone; a tenant owner manages the users of its tenant.
 * Another tenant's user answers 404 exactly like a missing one. Disabling a user or resetting its
 * password ends its logins at once (refresh tokens revoked, access tokens refused on next use).
 */
import type { Clock } from '../clock.ts';
import { AppError } from '../errors/app-error.ts';
import type { Storage } from '../storage/ports.ts';
import { StorageConflictError } from '../storage/ports.ts';
import { normalizeEmail, passwordProblem, type UserRecord, type UserRole } from '../domain/users.ts';
import { canManageTenant, type Principal } from './principal.ts';
import { hashPassword, verifyPassword } from './password.ts';

export interface UserView {
  id: string;
  tenantId: string | null;
  email: string;
  name: string | null;
  role: UserRole;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
  lastLoginAt: number | null;
}

export interface CreateUserInput {
  email: string;
  password: string;
  role: UserRole;
  tenant?: string;
  name?: string;
}

export interface UserPatchInput {
  name?: string | null;
  role?: UserRole;
  disabled?: boolean;
  password?: string;
}

export function userView(user: UserRecord): UserView {
  return {
    id: user.id,
    tenantId: user.tenantId,
    email: user.email,
    name: user.name,
    role: user.role,
    disabled: user.disabledAt !== null,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    lastLoginAt: user.lastLoginAt,
  };
}

export function checkPassword(password: string, email: string): void {
  const problem = passwordProblem(password, email);
  if (problem) throw new AppError('PASSWORD_TOO_WEAK', problem, { field: 'body.password' });
}

export class UserService {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly newId: () => string,
    /** Called when a user's logins must end now (disable, password reset, delete). */
    private readonly loggedOut: (userId: string) => void,
  ) {}

  async create(principal: Principal | undefined, input: CreateUserInput): Promise<UserView> {
    const tenantId = this.tenantForCreate(principal, input);
    if (tenantId !== null && !(await this.storage.tenants.get(tenantId))) throw new AppError('TENANT_NOT_FOUND', `Tenant "${tenantId}" not found.`);
    const email = normalizeEmail(input.email);
    checkPassword(input.password, email);
    const now = this.clock.now();
    const user: UserRecord = {
      id: this.newId().toLowerCase(),
      tenantId,
      email,
      name: input.name ?? null,
      role: input.role,
      passwordHash: await hashPassword(input.password),
      disabledAt: null,
      createdAt: now,
      updatedAt: now,
      lastLoginAt: null,
    };
    try {
      await this.storage.users.create(user);
    } catch (error) {
      if (error instanceof StorageConflictError) throw new AppError('USER_EXISTS', `A user with the email "${email}" already exists.`);
      throw error;
    }
    return userView(user);
  }

  /** The caller's own record (GET /v1/auth/me). */
  async self(userId: string): Promise<UserView | null> {
    const user = await this.storage.users.get(userId);
    return user ? userView(user) : null;
  }

  async list(principal: Principal, query: { tenant?: string; limit: number; offset: number }): Promise<{ items: UserView[]; total: number }> {
    let tenantId: string | null | undefined = query.tenant;
    if (principal.kind === 'tenant') {
      if (!canManageTenant(principal, principal.tenantId)) throw new AppError('FORBIDDEN', 'Only an admin or the tenant owner can list users.');
      if (query.tenant !== undefined && query.tenant !== principal.tenantId) throw new AppError('TENANT_NOT_FOUND', `Tenant "${query.tenant}" not found.`);
      tenantId = principal.tenantId;
    }
    const page = await this.storage.users.list({ ...(tenantId !== undefined ? { tenantId } : {}), limit: query.limit, offset: query.offset });
    return { items: page.items.map(userView), total: page.total };
  }

  async get(principal: Principal, id: string): Promise<UserView> {
    return userView(await this.visible(principal, id));
  }

  async update(principal: Principal, id: string, patch: UserPatchInput): Promise<UserView> {
    const user = await this.visible(principal, id);
    const self = principal.user?.id === user.id;
    if (self && (patch.disabled === true || (patch.role !== undefined && patch.role !== user.role))) throw new AppError('USER_SELF_CHANGE');
    if (patch.role !== undefined) this.checkRoleChange(principal, user, patch.role);
    const now = this.clock.now();
    const passwordHash = patch.password === undefined ? undefined : await this.newPasswordHash(patch.password, user.email);
    const disabledAt = patch.disabled === undefined ? undefined : patch.disabled ? (user.disabledAt ?? now) : null;
    const updated = await this.storage.users.update(user.id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.role !== undefined ? { role: patch.role } : {}),
      ...(passwordHash !== undefined ? { passwordHash } : {}),
      ...(disabledAt !== undefined ? { disabledAt } : {}),
    }, now);
    if (!updated) throw new AppError('USER_NOT_FOUND');
    // A reset password, a disabled account or a new role: the old logins must not outlive the change.
    if (passwordHash !== undefined || patch.disabled === true || (patch.role !== undefined && patch.role !== user.role)) await this.endLogins(user.id);
    return userView(updated);
  }

  async delete(principal: Principal, id: string): Promise<void> {
    const user = await this.visible(principal, id);
    if (principal.user?.id === user.id) throw new AppError('USER_SELF_CHANGE');
    await this.endLogins(user.id);
    await this.storage.users.delete(user.id);
  }

  /** A logged-in user changes their own password; their other logins end, this one too. */
  async changeOwnPassword(principal: Principal, current: string, next: string): Promise<void> {
    if (!principal.user) throw new AppError('FORBIDDEN', 'Only a logged-in user has a password; API keys do not.');
    const user = await this.storage.users.get(principal.user.id);
    if (!user) throw new AppError('USER_NOT_FOUND');
    if (!(await verifyPassword(current, user.passwordHash))) throw new AppError('INVALID_CREDENTIALS', 'The current password is wrong.');
    const passwordHash = await this.newPasswordHash(next, user.email);
    await this.storage.users.update(user.id, { passwordHash }, this.clock.now());
    await this.endLogins(user.id);
  }

  private async newPasswordHash(password: string, email: string): Promise<string> {
    checkPassword(password, email);
    return hashPassword(password);
  }

  private async endLogins(userId: string): Promise<void> {
    await this.storage.refreshTokens.revokeUser(userId, this.clock.now());
    this.loggedOut(userId);
  }

  /** `principal` undefined: the operator's CLI, which may create anyone. */
  private tenantForCreate(principal: Principal | undefined, input: CreateUserInput): string | null {
    if (input.role === 'admin') {
      if (input.tenant !== undefined) throw new AppError('VALIDATION_FAILED', 'An admin belongs to no tenant: remove "tenant".', { field: 'body.tenant' });
      if (principal && principal.kind !== 'admin') throw new AppError('FORBIDDEN', 'Only an admin can create another admin.');
      return null;
    }
    if (principal?.kind === 'tenant') {
      if (input.tenant !== undefined && input.tenant !== principal.tenantId) throw new AppError('TENANT_NOT_FOUND', `Tenant "${input.tenant}" not found.`);
      if (!canManageTenant(principal, principal.tenantId)) throw new AppError('FORBIDDEN', 'Only an admin or the tenant owner can create users.');
      return principal.tenantId;
    }
    if (input.tenant === undefined) throw new AppError('VALIDATION_FAILED', `A ${input.role} belongs to a tenant: add "tenant".`, { field: 'body.tenant' });
    return input.tenant;
  }

  private checkRoleChange(principal: Principal, user: UserRecord, role: UserRole): void {
    if ((role === 'admin') !== (user.role === 'admin')) {
      throw new AppError('VALIDATION_FAILED', 'A tenant user cannot become an admin, nor an admin a tenant user: create a new user instead.', { field: 'body.role' });
    }
    if (role === 'admin' && principal.kind !== 'admin') throw new AppError('FORBIDDEN', 'Only an admin can change an admin.');
  }

  /** A user the principal may manage; others are "not found". */
  private async visible(principal: Principal, id: string): Promise<UserRecord> {
    const user = await this.storage.users.get(id);
    if (!user) throw new AppError('USER_NOT_FOUND', `User "${id}" not found.`);
    if (principal.kind === 'admin') return user;
    if (user.tenantId !== principal.tenantId) throw new AppError('USER_NOT_FOUND', `User "${id}" not found.`);
    if (!canManageTenant(principal, principal.tenantId)) throw new AppError('FORBIDDEN', 'Only an admin or the tenant owner can manage users.');
    return user;
  }
}
