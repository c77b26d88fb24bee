/** `wafleet users create|list`: people who log in to the dashboard and the API, from the command line. */
import { randomBytes } from 'node:crypto';
import { systemClock } from '../clock.ts';
import { createIdFactory } from '../id-factory.ts';
import { isUserRole } from '../domain/users.ts';
import { UserService } from '../auth/user-service.ts';
import type { Storage } from '../storage/ports.ts';

export const USER_USAGE = `  users create --email EMAIL --role admin|owner|operator|viewer [--tenant ID] [--name NAME] [--password-stdin]
                                (without --password-stdin a strong password is generated and shown once)
  users list [--tenant ID]
`;

export interface UserCommandValues {
  email?: string | boolean;
  role?: string | boolean;
  tenant?: string | boolean;
  name?: string | boolean;
  'password-stdin'?: string | boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

const text = (value: string | boolean | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

/** Returns the exit code; 2 for a usage error (printed). */
export async function runUserCommand(storage: Storage, sub: string | undefined, values: UserCommandValues): Promise<number> {
  const users = new UserService(storage, systemClock, createIdFactory(), () => undefined);
  if (sub === 'list') {
    const tenant = text(values.tenant);
    const page = await storage.users.list({ ...(tenant ? { tenantId: tenant } : {}), limit: 1000, offset: 0 });
    for (const user of page.items) console.log(`${user.id}\t${user.email}\t${user.role}\t${user.tenantId ?? '-'}\t${user.disabledAt ? 'disabled' : 'active'}`);
    console.log(`${page.total} user(s)`);
    return 0;
  }
  if (sub !== 'create') {
    console.error(`wafleet: unknown command "users ${sub ?? ''}"`);
    return 2;
  }
  const email = text(values.email);
  const role = text(values.role);
  if (!email || !role) {
    console.error('wafleet: users create needs --email and --role');
    return 2;
  }
  if (!isUserRole(role)) {
    console.error(`wafleet: unknown role "${role}"; use admin, owner, operator or viewer`);
    return 2;
  }
  const generated = !values['password-stdin'];
  const password = generated ? randomBytes(18).toString('base64url') : await readStdin();
  const tenant = text(values.tenant);
  const name = text(values.name);
  const user = await users.create(undefined, { email, password, role, ...(tenant ? { tenant } : {}), ...(name ? { name } : {}) });
  console.log(`user ${user.id} <${user.email}> ${user.role}${user.tenantId ? ` of ${user.tenantId}` : ''}`);
  // On stdout, once, because it is a secret: the log stream never sees it.
  if (generated) console.log(`password (shown only this once): ${password}`);
  return 0;
}
