/**
 * Outbound URL guard against SSRF: wafleet fetches URLs that callers give it (media, webhooks), so it
 * refuses loopback, private, link-local and other internal addresses unless an admin allows them.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AppError } from '../errors/app-error.ts';

const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 3],
] as const) {
  INTERNAL.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['::ffff:0:0', 96]] as const) {
  INTERNAL.addSubnet(network, prefix, 'ipv6');
}

export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return INTERNAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Throws unless every address the URL's host resolves to is public (or internal ones are allowed). */
export async function assertPublicUrl(url: URL, allowInternal: boolean, what: string): Promise<void> {
  if (allowInternal) return;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((entry) => entry.address);
  if (addresses.length === 0) throw new AppError('MEDIA_FETCH_FAILED', `${what}: the host "${host}" does not resolve.`);
  if (addresses.some(isInternalAddress)) {
    throw new AppError('URL_NOT_ALLOWED', `${what}: "${host}" is a private or loopback address; an admin can allow those with WAFLEET_ALLOW_PRIVATE_URLS=1.`);
  }
}
