/**
 * The SSRF guard on every connection wafleet opens for a caller (webhook deliveries, media URLs).
 *
 * The check sits where the socket is dialled, not where the URL is accepted: an http(s) agent whose
 * `lookup` refuses a host name that resolves to a non-public address, and whose createConnection
 * refuses an IP-literal host (Node does not call `lookup` for those). A DNS answer that changes
 * between acceptance and use (rebinding) and every redirect hop therefore meet the same check, on
 * the address actually dialled. The answers are checked all or nothing: a name that resolves to one
 * public and one private address is refused, so the connection cannot pick the private one.
 *
 * Our own hook rather than request-filtering-agent: the same policy (address-policy.ts) serves the
 * early check that gives the API its clear 400, the resolver is injectable (tests, without DNS), and
 * the policy judges the IPv4 address inside NAT64 and 6to4 forms instead of refusing or passing them
 * by range name.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { Agent as HttpAgent, type AgentOptions, type ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions, type RequestOptions } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { Duplex } from 'node:stream';
import { classifyAddress, isAllowlisted, type AddressAllowlist } from './address-policy.ts';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Host name → every address it resolves to (getaddrinfo by default; tests inject answers). */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: ResolveHost = async (hostname) =>
  (await dnsLookup(hostname, { all: true })).map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));

/** A connection refused by the guard; `code` lets callers tell it from network failures. */
export class AddressNotAllowedError extends Error {
  readonly code = 'ERR_ADDRESS_NOT_ALLOWED';

  constructor(readonly host: string, readonly address: string, readonly range: string) {
    super(`${host === address ? `"${host}"` : `"${host}" resolves to ${address}, which`} is not a public address (${range}); an admin can allow such addresses with WAFLEET_ALLOW_PRIVATE_URLS=1 or WAFLEET_PRIVATE_URL_ALLOWLIST`);
    this.name = 'AddressNotAllowedError';
  }
}

export interface OutboundGuardOptions {
  /** WAFLEET_ALLOW_PRIVATE_URLS: every address may be dialled. */
  allowPrivateUrls: boolean;
  /** WAFLEET_PRIVATE_URL_ALLOWLIST: non-public addresses that may be dialled all the same. */
  allowlist?: AddressAllowlist;
  resolve?: ResolveHost;
}

export interface OutboundGuard {
  /** Resolves the host (an IP literal stands for itself) and refuses it unless every address may be dialled. */
  resolveChecked(host: string): Promise<ResolvedAddress[]>;
  /** The `lookup` the agents give net.connect: resolveChecked in the shape Node calls it. */
  lookup: LookupFunction;
  /** http and https agents that apply the guard to every connection they open. */
  agents(options?: AgentOptions): { http: HttpAgent; https: HttpsAgent };
}

function notFound(host: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host });
}

export function createOutboundGuard(options: OutboundGuardOptions): OutboundGuard {
  const resolve = options.resolve ?? systemResolver;
  const allowlist = options.allowlist ?? [];

  const check = (host: string, address: string): void => {
    if (options.allowPrivateUrls) return;
    const verdict = classifyAddress(address);
    if (!verdict.public && !isAllowlisted(address, allowlist)) throw new AddressNotAllowedError(host, address, verdict.range);
  };

  const resolveChecked = async (host: string): Promise<ResolvedAddress[]> => {
    const family = isIP(host);
    const answers = family !== 0 ? [{ address: host, family: family as 4 | 6 }] : await resolve(host);
    if (answers.length === 0) throw notFound(host);
    for (const answer of answers) check(host, answer.address);
    return answers;
  };

  const lookup: LookupFunction = (hostname: string, lookupOptions: LookupOptions, callback) => {
    resolveChecked(hostname).then(
      (answers) => {
        const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? answers.filter((a) => a.family === lookupOptions.family) : answers;
        if (wanted.length === 0) return callback(notFound(hostname), '', 0);
        if (lookupOptions.all) return callback(null, wanted as LookupAddress[]);
        return callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };

  /** Why this connection may not be opened, or undefined; host names are left to `lookup`. */
  const refusal = (connect: ClientRequestArgs): Error | undefined => {
    if (connect.socketPath !== undefined && !options.allowPrivateUrls) return new AddressNotAllowedError(connect.socketPath, connect.socketPath, 'Unix socket');
    const host = (connect.host ?? connect.hostname ?? 'localhost').replace(/^\[|\]$/g, '');
    if (isIP(host) === 0) return undefined;
    try {
      check(host, host);
      return undefined;
    } catch (error) {
      return error as Error;
    }
  };

  type Callback = (err: Error | null, stream: Duplex) => void;
  const refuse = (error: Error, callback: Callback | undefined): undefined => {
    // The agent turns this into an 'error' on the request, like a refused connection.
    callback?.(error, undefined as unknown as Duplex);
    return undefined;
  };

  class GuardedHttpAgent extends HttpAgent {
    override createConnection(connect: ClientRequestArgs, callback?: Callback): Duplex | null | undefined {
      const refused = refusal(connect);
      return refused ? refuse(refused, callback) : super.createConnection({ ...connect, lookup }, callback);
    }
  }

  class GuardedHttpsAgent extends HttpsAgent {
    override createConnection(connect: RequestOptions, callback?: Callback): Duplex | null | undefined {
      const refused = refusal(connect);
      return refused ? refuse(refused, callback) : super.createConnection({ ...connect, lookup }, callback);
    }
  }

  return {
    resolveChecked,
    lookup,
    agents: (agentOptions = {}) => ({ http: new GuardedHttpAgent(agentOptions), https: new GuardedHttpsAgent(agentOptions as HttpsAgentOptions) }),
  };
}
