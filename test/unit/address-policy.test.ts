/** The SSRF address policy, as a table: what a webhook or media URL may reach, and what it may not. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyAddress, isAllowlisted, parseAllowlist } from '../../src/net/address-policy.ts';
import { createOutboundGuard } from '../../src/net/outbound-guard.ts';
import { assertAllowedUrl } from '../../src/net/url-guard.ts';
import { isAppError } from '../../src/errors/app-error.ts';

/** [address, registry entry it belongs to] — IANA's IPv4 special-purpose registry, first and last addresses where it matters. */
const IPV4_SPECIAL: Array<[string, string]> = [
  ['0.0.0.0', '"this network" 0.0.0.0/8'],
  ['0.255.255.255', '"this network" 0.0.0.0/8'],
  ['10.0.0.1', 'private 10.0.0.0/8'],
  ['10.255.255.255', 'private 10.0.0.0/8'],
  ['100.64.0.1', 'carrier-grade NAT 100.64.0.0/10'],
  ['100.127.255.254', 'carrier-grade NAT 100.64.0.0/10'],
  ['127.0.0.1', 'loopback 127.0.0.0/8'],
  ['127.255.255.254', 'loopback 127.0.0.0/8'],
  ['169.254.169.254', 'link-local 169.254.0.0/16 (cloud metadata)'],
  ['172.16.0.1', 'private 172.16.0.0/12'],
  ['172.31.255.255', 'private 172.16.0.0/12'],
  ['192.0.0.1', 'IETF protocol assignments 192.0.0.0/24'],
  ['192.0.0.170', 'NAT64 discovery 192.0.0.170/32'],
  ['192.0.2.1', 'documentation TEST-NET-1'],
  ['192.31.196.1', 'AS112-v4'],
  ['192.52.193.1', 'AMT'],
  ['192.88.99.1', 'deprecated 6to4 relay anycast'],
  ['192.168.1.1', 'private 192.168.0.0/16'],
  ['192.175.48.1', 'direct delegation AS112'],
  ['198.18.0.1', 'benchmarking 198.18.0.0/15'],
  ['198.19.255.255', 'benchmarking 198.18.0.0/15'],
  ['198.51.100.7', 'documentation TEST-NET-2'],
  ['203.0.113.9', 'documentation TEST-NET-3'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.255', 'multicast'],
  ['240.0.0.1', 'reserved 240.0.0.0/4'],
  ['255.255.255.254', 'reserved 240.0.0.0/4'],
  ['255.255.255.255', 'limited broadcast'],
];

/** IANA's IPv6 special-purpose registry, plus space IANA has not allocated for global unicast. */
const IPV6_SPECIAL: Array<[string, string]> = [
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['64:ff9b:1::a00:1', 'local-use NAT64 64:ff9b:1::/48'],
  ['64:ff9b:1:ffff::1', 'local-use NAT64 64:ff9b:1::/48'],
  ['100::1', 'discard-only 100::/64'],
  ['2001:1::1', 'IETF protocol assignments 2001::/23'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo 2001::/32'],
  ['2001:2::1', 'benchmarking 2001:2::/48'],
  ['2001:3::1', 'AMT 2001:3::/32'],
  ['2001:4:112::1', 'AS112-v6'],
  ['2001:10::1', 'deprecated ORCHID'],
  ['2001:20::1', 'ORCHIDv2'],
  ['2001:30::1', 'drone remote ID'],
  ['2001:db8::1', 'documentation 2001:db8::/32'],
  ['2620:4f:8000::1', 'direct delegation AS112'],
  ['3fff::1', 'documentation 3fff::/20'],
  ['5f00::1', 'segment routing SIDs'],
  ['fc00::1', 'unique local fc00::/7'],
  ['fd12:3456::1', 'unique local fc00::/7'],
  ['fe80::1', 'link-local'],
  ['fe80::1%lo', 'link-local with a zone'],
  ['fec0::1', 'deprecated site-local'],
  ['ff02::1', 'multicast'],
  ['ff0e::1', 'multicast'],
  ['1::1', 'not allocated (outside 2000::/3)'],
  ['4000::1', 'not allocated (outside 2000::/3)'],
];

/** IPv6 forms that carry an internal IPv4 address: each must be judged by the address inside, or refused. */
const EMBEDDED_INTERNAL: Array<[string, string]> = [
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
  ['::ffff:10.0.0.1', 'IPv4-mapped private'],
  ['::ffff:169.254.169.254', 'IPv4-mapped metadata address'],
  ['::127.0.0.1', 'IPv4-compatible loopback'],
  ['::a00:1', 'IPv4-compatible private'],
  ['::8.8.8.8', 'IPv4-compatible (deprecated: refused whatever it embeds)'],
  ['::ffff:0:127.0.0.1', 'IPv4-translated (RFC 6145)'],
  ['64:ff9b::127.0.0.1', 'NAT64 of loopback'],
  ['64:ff9b::a00:1', 'NAT64 of private'],
  ['64:ff9b::a9fe:a9fe', 'NAT64 of the metadata address'],
  ['2002:7f00:1::1', '6to4 of loopback'],
  ['2002:c0a8:101::1', '6to4 of 192.168.1.1'],
  ['2002:a9fe:a9fe::', '6to4 of the metadata address'],
  ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'Teredo whose client is 127.0.0.1 (refused as Teredo)'],
];

const PUBLIC: Array<[string, string]> = [
  ['8.8.8.8', 'public IPv4'],
  ['1.1.1.1', 'public IPv4'],
  ['93.184.216.34', 'public IPv4'],
  ['11.0.0.1', 'just past 10.0.0.0/8'],
  ['100.128.0.1', 'just past carrier-grade NAT'],
  ['172.32.0.1', 'just past 172.16.0.0/12'],
  ['192.0.3.1', 'just past TEST-NET-1'],
  ['203.0.114.1', 'just past TEST-NET-3'],
  ['223.255.255.254', 'just below multicast'],
  ['2606:4700:4700::1111', 'public IPv6'],
  ['2001:4860:4860::8888', 'public IPv6 inside 2001::/16'],
  ['2a00:1450:4001:80b::200e', 'public IPv6'],
  ['::ffff:8.8.8.8', 'IPv4-mapped public'],
  ['64:ff9b::808:808', 'NAT64 of a public IPv4 (DNS64 networks)'],
  ['2002:808:808::1', '6to4 of a public IPv4'],
];

test('address policy: every special-purpose IPv4 range is refused', () => {
  for (const [address, what] of IPV4_SPECIAL) assert.equal(classifyAddress(address).public, false, `${address} (${what})`);
});

test('address policy: every special-purpose IPv6 range is refused', () => {
  for (const [address, what] of IPV6_SPECIAL) assert.equal(classifyAddress(address).public, false, `${address} (${what})`);
});

test('address policy: IPv4-mapped, compatible, translated, NAT64, 6to4 and Teredo forms of internal addresses are refused', () => {
  for (const [address, what] of EMBEDDED_INTERNAL) assert.equal(classifyAddress(address).public, false, `${address} (${what})`);
  assert.equal(classifyAddress('::ffff:127.0.0.1').range, 'IPv4-mapped of loopback');
  assert.equal(classifyAddress('64:ff9b::a00:1').range, 'NAT64 of private');
  assert.equal(classifyAddress('2002:7f00:1::1').range, '6to4 of loopback');
  // ipaddr.js alone reads "::a.b.c.d" as IPv4-mapped; Node dials it as IPv4-compatible.
  assert.equal(classifyAddress('::8.8.8.8').range, 'IPv4-compatible');
});

test('address policy: public IPv4 and IPv6 addresses are accepted', () => {
  for (const [address, what] of PUBLIC) assert.equal(classifyAddress(address).public, true, `${address} (${what})`);
});

test('address policy: what is not an IP address is refused', () => {
  for (const value of ['', 'localhost', '127.1', '0x7f.0.0.1', '2130706433', '1.2.3.4.5', '::g']) {
    assert.equal(classifyAddress(value).public, false, JSON.stringify(value));
  }
});

test('URL guard: the host forms URL parsing turns into internal addresses are refused with URL_NOT_ALLOWED', async () => {
  const guard = createOutboundGuard({ allowPrivateUrls: false, resolve: () => Promise.reject(new Error('no DNS in this test')) });
  const forms = ['http://127.1/', 'http://0x7f.0.0.1/', 'http://2130706433/', 'http://0177.0.0.1/', 'http://[::ffff:127.0.0.1]/', 'http://[0:0:0:0:0:ffff:7f00:1]/', 'http://[64:ff9b::7f00:1]/', 'http://[2002:7f00:1::]/', 'http://0/', 'http://[::]/'];
  for (const raw of forms) {
    await assert.rejects(assertAllowedUrl(guard, new URL(raw), 'webhook URL'), (error) => isAppError(error) && error.code === 'URL_NOT_ALLOWED', raw);
  }
  await assertAllowedUrl(guard, new URL('http://8.8.8.8/hook'), 'webhook URL');
  await assertAllowedUrl(guard, new URL('https://[2606:4700:4700::1111]:8443/hook'), 'webhook URL');
});

test('URL guard: a name is refused when any of its addresses is internal, accepted when all are public', async () => {
  const answers: Record<string, string[]> = { 'mixed.test': ['93.184.216.34', '10.0.0.5'], 'public.test': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'], 'empty.test': [] };
  const guard = createOutboundGuard({
    allowPrivateUrls: false,
    resolve: async (host) => (answers[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
  });
  await assert.rejects(assertAllowedUrl(guard, new URL('http://mixed.test/'), 'webhook URL'), (error) => isAppError(error) && error.code === 'URL_NOT_ALLOWED' && /10\.0\.0\.5.*private/.test(error.message));
  await assertAllowedUrl(guard, new URL('http://public.test/'), 'webhook URL');
  await assert.rejects(assertAllowedUrl(guard, new URL('http://empty.test/'), 'media.url'), (error) => isAppError(error) && error.code === 'MEDIA_FETCH_FAILED');
});

test('allowlist: named addresses and ranges pass, nothing else; bad entries are reported', () => {
  const allowlist = parseAllowlist(['10.0.5.7', '192.168.10.0/24', 'fd00:1::/32']);
  assert.equal(isAllowlisted('10.0.5.7', allowlist), true);
  assert.equal(isAllowlisted('::ffff:10.0.5.7', allowlist), true, 'the IPv4-mapped form of an allowed address');
  assert.equal(isAllowlisted('10.0.5.8', allowlist), false);
  assert.equal(isAllowlisted('192.168.10.200', allowlist), true);
  assert.equal(isAllowlisted('192.168.11.1', allowlist), false);
  assert.equal(isAllowlisted('fd00:1:2::3', allowlist), true);
  assert.equal(isAllowlisted('fd00:2::3', allowlist), false);
  for (const bad of ['10.0.0.0/33', 'example.com', '10.1', '10.0.0.0/', 'fd00::/129']) assert.throws(() => parseAllowlist([bad]), new RegExp(bad.replace(/[./]/g, '\\$&')), bad);
});
