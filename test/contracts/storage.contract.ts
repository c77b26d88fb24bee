/**
 * The storage contract: one suite every driver must pass. A driver's *.test.ts calls
 * registerStorageContract with a factory of fresh, empty databases; each test gets its own.
 */
import { describe } from 'node:test';
import type { CreateStorageOptions } from '../../src/storage/create-storage.ts';
import { registerAuthStateCases } from './storage/auth-state.cases.ts';
import { registerEventCases } from './storage/events.cases.ts';
import type { StorageContext, StorageTarget } from './storage/harness.ts';
import { withTarget } from './storage/harness.ts';
import { registerIdentityCases } from './storage/identity.cases.ts';
import { registerLifecycleCases } from './storage/lifecycle.cases.ts';
import { registerMessageLifecycleCases } from './storage/messages-lifecycle.cases.ts';
import { registerMessageCases } from './storage/messages.cases.ts';
import { registerSessionCases } from './storage/sessions.cases.ts';
import { registerWebhookCases } from './storage/webhooks.cases.ts';
import { registerOutboundCases } from './storage/outbound.cases.ts';
import { registerClusterCases } from './storage/cluster.cases.ts';
import { registerAccountCases } from './storage/accounts.cases.ts';
import { registerAddressCases } from './storage/addresses.cases.ts';

export type { CreateStorageOptions, StorageTarget };

export interface StorageContractOptions {
  driver: 'sqlite' | 'postgres';
  /** Suite name when the driver alone does not say it (e.g. through a pooler). */
  label?: string;
  /** A reason to skip the whole suite (e.g. no database configured), or undefined to run it. */
  skip?: string | undefined;
  /** A fresh, empty database: the createStorage options that reach it and how to remove it. */
  newTarget(): Promise<StorageTarget>;
  /** Only these groups of cases (default: all). */
  only?: ReadonlyArray<keyof typeof CASE_GROUPS>;
}

const CASE_GROUPS = {
  identity: registerIdentityCases,
  sessions: registerSessionCases,
  events: registerEventCases,
  authState: registerAuthStateCases,
  messages: registerMessageCases,
  addresses: registerAddressCases,
  messageLifecycle: registerMessageLifecycleCases,
  lifecycle: registerLifecycleCases,
  webhooks: registerWebhookCases,
  outbound: registerOutboundCases,
  cluster: registerClusterCases,
  accounts: registerAccountCases,
} as const;

export function registerStorageContract(options: StorageContractOptions): void {
  const ctx: StorageContext = {
    driver: options.driver,
    newTarget: options.newTarget,
    withStorage: (fn) => withTarget(options.newTarget, fn),
  };
  describe(`storage contract (${options.label ?? options.driver})`, { skip: options.skip ?? false }, () => {
    for (const [name, register] of Object.entries(CASE_GROUPS)) {
      if (!options.only || options.only.includes(name as keyof typeof CASE_GROUPS)) register(ctx);
    }
  });
}
