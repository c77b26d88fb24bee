/**
 * Wires users, logins, the audit log and message analytics. The composition root calls this once.
 * Token and CSRF keys derive from the master key, so every node that shares it accepts the same logins.
 */
import { hkdfSync } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import type { Logger } from '../logging/logger.ts';
import type { Storage } from '../storage/ports.ts';
import { MemoryRateLimiter, type BucketRules, type RateLimiter } from '../outbound/rate-limit/rate-limiter.ts';
import { RedisRateLimiter } from '../outbound/rate-limit/redis-rate-limiter.ts';
import { AuditLog } from '../audit/audit-log.ts';
import { AccountRetention } from '../audit/account-retention.ts';
import { MessageStats } from '../analytics/message-stats.ts';
import { AccessTokens } from './access-tokens.ts';
import { LoginService } from './login-service.ts';
import { UserService } from './user-service.ts';

export interface Accounts {
  logins: LoginService;
  users: UserService;
  audit: AuditLog;
  stats: MessageStats;
  start(): void;
  close(): Promise<void>;
}

export function createAccounts(deps: { config: Readonly<Config>; storage: Storage; clock: Clock; newId: () => string; logger: Logger; masterKey: Buffer }): Accounts {
  const { config, storage, clock, newId, logger } = deps;
  const users = config.users;
  const limiter = (attempts: number, prefix: string): RateLimiter => {
    // A bucket of `attempts` tokens that refills completely over the window.
    const rules: BucketRules = { burst: attempts, rps: attempts / (users.loginWindowMs / 1000) };
    return config.rateLimit.redisUrl ? new RedisRateLimiter(config.rateLimit.redisUrl, rules, prefix) : new MemoryRateLimiter(rules, clock);
  };
  const limits = { perAccount: limiter(users.loginMaxAttempts, 'wafleet:login:account:'), perAddress: limiter(users.loginMaxAttemptsPerAddress, 'wafleet:login:address:') };
  const csrfKey = Buffer.from(hkdfSync('sha256', deps.masterKey, Buffer.alloc(0), 'wafleet csrf tokens v1', 32));
  const logins = new LoginService(storage, clock, newId, new AccessTokens(deps.masterKey, users.accessTokenTtlMs), users.refreshTokenTtlMs, limits, csrfKey);
  const userService = new UserService(storage, clock, newId, (userId) => logins.forgetUser(userId));
  const audit = new AuditLog(storage, clock, newId, logger.child({ component: 'audit' }));
  const stats = new MessageStats(storage, clock, logger.child({ component: 'analytics' }));
  const retention = new AccountRetention(storage, clock, logger, { auditMs: users.auditRetentionMs, analyticsMs: users.analyticsRetentionMs, intervalMs: config.retention.intervalMs });
  return {
    logins,
    users: userService,
    audit,
    stats,
    start: () => retention.start(),
    async close() {
      await retention.stop();
      await audit.flush();
      await stats.flush();
      await limits.perAccount.close();
      await limits.perAddress.close();
    },
  };
}
