/**
 * `npm run sim` / `wafleet-sim`: runs the WhatsApp protocol simulator on loopback until
 * SIGINT/SIGTERM. Prints the WebSocket URL (Baileys `waWebSocketUrl`), the admin URL, the media
 * host and the certificate root public key (pin it with test/helpers/sim-trust-preload.ts).
 */
import { parseArgs } from 'node:util';
import { startSim } from './index.ts';

const USAGE = `wafleet-sim [options]
  --port N                  WebSocket port (default 0 = any free port)
  --admin-port N            admin HTTP port (default 0)
  --media-port N            media HTTPS port (default 0)
  --media-cert FILE         write the media certificate PEM here (for NODE_EXTRA_CA_CERTS)
  --state FILE              JSON state file (accounts, devices, keys, offline queues)
  --root-seed TEXT          derive the certificate root from TEXT (stable root public key)
  --latency MS              added to every server frame
  --jitter MS               uniform extra latency in [0, MS)
  --post-handshake-delay MS pause before the first frame after the handshake (default 20)
  --no-phones               disable simulated phones (bootstrap, virtual contacts)
  --qr-refs N               QR refs per registration (default 6, as WhatsApp)
  --no-media                disable the media host
  --json                    print the endpoints as one JSON line
  -h, --help`;

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'admin-port': { type: 'string' },
    'media-port': { type: 'string' },
    'media-cert': { type: 'string' },
    state: { type: 'string' },
    'root-seed': { type: 'string' },
    latency: { type: 'string' },
    jitter: { type: 'string' },
    'post-handshake-delay': { type: 'string' },
    'qr-refs': { type: 'string' },
    'no-phones': { type: 'boolean' },
    'no-media': { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

function num(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer`);
    process.exit(2);
  }
  return n;
}

const sim = await startSim({
  port: num('port', values.port),
  adminPort: num('admin-port', values['admin-port']),
  mediaPort: num('media-port', values['media-port']),
  mediaCertPath: values['media-cert'],
  stateFile: values.state,
  rootSeed: values['root-seed'],
  latencyMs: num('latency', values.latency),
  jitterMs: num('jitter', values.jitter),
  postHandshakeDelayMs: num('post-handshake-delay', values['post-handshake-delay']),
  qrRefs: num('qr-refs', values['qr-refs']),
  virtualPhones: !values['no-phones'],
  media: !values['no-media'],
});

const endpoints = { wsUrl: sim.wsUrl, adminUrl: sim.adminUrl, mediaHost: sim.mediaHost, rootPublicKey: sim.rootPublicKey };
if (values.json) console.log(JSON.stringify(endpoints));
else {
  console.log(`wafleet-sim listening
  WebSocket (waWebSocketUrl): ${sim.wsUrl}
  Admin API:                  ${sim.adminUrl}/admin
  Media host (HTTPS):         ${sim.mediaHost ?? 'disabled'}
  Root public key (hex):      ${sim.rootPublicKey}`);
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void sim.stop().then(() => process.exit(0));
  });
}
