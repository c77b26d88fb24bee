/** Operator commands that work on the store directly, without a running server. */
import { parseArgs } from 'node:util';
import type { Config } from '../config/config.ts';
import { createLogger } from '../logging/logger.ts';
import { createStorage, migrate } from '../storage/create-storage.ts';
import type { Storage } from '../storage/ports.ts';
import { systemClock } from '../clock.ts';
import { createIdFactory } from '../id-factory.ts';
import { KEY_SCOPES, type KeyScope } from '../domain/records.ts';
import { isSessionStatus } from '../domain/session.ts';
import { ApiKeyService } from '../auth/api-key-service.ts';
import { TenantService } from '../tenants/tenant-service.ts';
import { isAppError } from '../errors/app-error.ts';
import { USER_USAGE, runUserCommand } from './user-commands.ts';

export const ADMIN_USAGE = `  migrate                       apply database migrations and exit
  tenants create --id ID [--name NAME] [--max-sessions N]
  tenants list
  keys create --tenant ID --scopes read,send,manage [--name NAME]
  keys create --admin [--name NAME]
  sessions list [--tenant ID] [--status STATUS]
${USER_USAGE}`;

const OPTIONS = {
  id: { type: 'string' },
  name: { type: 'string' },
  'max-sessions': { type: 'string' },
  tenant: { type: 'string' },
  scopes: { type: 'string' },
  admin: { type: 'boolean' },
  status: { type: 'string' },
  email: { type: 'string' },
  role: { type: 'string' },
  'password-stdin': { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

async function run(storage: Storage, config: Readonly<Config>, command: string, sub: string | undefined, values: Values): Promise<number> {
  const newId = createIdFactory();
  const key = `${command} ${sub ?? ''}`.trim();
  if (command === 'users') return runUserCommand(storage, sub, values);
  switch (key) {
    case 'tenants create': {
      if (!values.id) return usageError('tenants create needs --id');
      const maxSessions = values['max-sessions'] === undefined ? undefined : Number(values['max-sessions']);
      if (maxSessions !== undefined && (!Number.isInteger(maxSessions) || maxSessions < 0)) return usageError('--max-sessions must be a whole number');
      const tenant = await new TenantService(storage, systemClock, config.defaultMaxSessions).create({ id: values.id, name: values.name, maxSessions });
      console.log(JSON.stringify(tenant, null, 2));
      return 0;
    }
    case 'tenants list':
      console.log(JSON.stringify(await storage.tenants.list(), null, 2));
      return 0;
    case 'keys create': {
      const keys = new ApiKeyService(storage, systemClock, newId);
      if (values.admin) {
        const issued = await keys.issue(null, values.name ?? 'admin (cli)', KEY_SCOPES);
        console.log(`admin key ${issued.record.id}: ${issued.key}`);
        return 0;
      }
      if (!values.tenant || !values.scopes) return usageError('keys create needs --tenant and --scopes (or --admin)');
      const scopes = values.scopes.split(',').map((scope) => scope.trim());
      const bad = scopes.filter((scope) => !(KEY_SCOPES as readonly string[]).includes(scope));
      if (bad.length || scopes.length === 0) return usageError(`unknown scope(s) ${bad.join(', ')}; use ${KEY_SCOPES.join(', ')}`);
      if (!(await storage.tenants.get(values.tenant))) return usageError(`tenant "${values.tenant}" not found`);
      const issued = await keys.issue(values.tenant, values.name ?? 'api key (cli)', scopes as KeyScope[]);
      console.log(`key ${issued.record.id} for ${values.tenant} [${issued.record.scopes.join(',')}]: ${issued.key}`);
      return 0;
    }
    case 'sessions list': {
      if (values.status && !isSessionStatus(values.status)) return usageError(`unknown status "${values.status}"`);
      const page = await storage.sessions.list({
        limit: 1000,
        offset: 0,
        ...(values.tenant ? { tenantId: values.tenant } : {}),
        ...(values.status && isSessionStatus(values.status) ? { status: values.status } : {}),
      });
      for (const session of page.items) console.log(`${session.id}\t${session.tenantId}\t${session.engine}\t${session.status}`);
      console.log(`${page.total} session(s)`);
      return 0;
    }
    default:
      return usageError(`unknown command "${key}"`);
  }
}

function usageError(message: string): number {
  console.error(`wafleet: ${message}`);
  return 2;
}

export async function runAdminCommand(config: Readonly<Config>, command: string, rest: string[], argv: string[], usage: string): Promise<number> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: false }) as { values: Values };
  if (command === 'migrate') {
    const result = await migrate({ databaseUrl: config.databaseUrl, schema: config.databaseSchema, dataDir: config.dataDir });
    console.log(`${result.driver}: ${result.applied.length ? `applied ${result.applied.join(', ')}` : 'schema already current'}`);
    return 0;
  }
  const storage = await createStorage({ databaseUrl: config.databaseUrl, schema: config.databaseSchema, dataDir: config.dataDir, logger: createLogger('warn') });
  try {
    const code = await run(storage, config, command, rest[0], values);
    if (code === 2) console.error(usage);
    return code;
  } catch (error) {
    if (isAppError(error)) {
      console.error(`wafleet: ${error.code}: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await storage.close();
  }
}
