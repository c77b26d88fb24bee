/**
 * CLI entry: `wafleet serve | migrate | tenants create | keys create | sessions list`.
 * SIGTERM/SIGINT stop accepting requests, stop sessions cleanly, close the store and exit 0.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config/config.ts';
import { createLogger } from './logging/logger.ts';
import { runAdminCommand, ADMIN_USAGE } from './cli/admin-commands.ts';
import { runBackupCommand, BACKUP_USAGE } from './cli/backup-commands.ts';
import { QR_USAGE, runSessionQr } from './cli/session-qr.ts';

const USAGE = `Usage: wafleet <command> [options]

Commands:
  serve                         start the HTTP API and resume running sessions (default)
${ADMIN_USAGE}${BACKUP_USAGE}${QR_USAGE}
Configuration comes from WAFLEET_* environment variables (see README).`;

async function serve(config: Readonly<Config>): Promise<void> {
  const logger = createLogger(config.logLevel);
  // Loaded here, not at the top: the operator commands (backup, keys, …) start without the engines.
  const { createWafleet } = await import('./wafleet.ts');
  const wafleet = await createWafleet(config, { logger });
  if (wafleet.generatedAdminKey) {
    // Shown once, on stdout rather than in the log stream, because it is a secret.
    process.stdout.write(
      `\n  wafleet created an admin API key. It is shown only this once; store it safely:\n\n    ${wafleet.generatedAdminKey}\n\n`
        + '  To log in to the dashboard, create the first admin user:  npm run wafleet -- users create --email you@example.com --role admin\n\n',
    );
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await wafleet.close();
      logger.info('stopped cleanly');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  const address = await wafleet.app.listen({ host: config.host, port: config.port });
  await wafleet.listening(address);
  logger.info({ address, dashboard: `${address}/dashboard/`, docs: `${address}/docs`, store: wafleet.storage.driver, node: config.cluster.nodeId }, 'wafleet is listening');
  const resumed = await wafleet.resume();
  if (resumed > 0) logger.info({ sessions: resumed }, 'resumed sessions that were running');
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: { help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  let config: Readonly<Config>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  const [command = 'serve', ...rest] = positionals;
  if (command === 'serve') {
    await serve(config);
    return -1;
  }
  if (command === 'backup' || command === 'restore') return runBackupCommand(config, command, argv);
  if (command === 'sessions' && rest[0] === 'qr') {
    const { values: qr } = parseArgs({ args: argv, allowPositionals: true, strict: false, options: { key: { type: 'string' }, url: { type: 'string' }, 'timeout-s': { type: 'string' } } });
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    const timeout = text(qr['timeout-s']);
    const key = text(qr.key);
    const url = text(qr.url);
    return runSessionQr(rest[1], { ...(key ? { key } : {}), ...(url ? { url } : {}), ...(timeout ? { timeoutS: Number(timeout) } : {}) }, config.port);
  }
  return runAdminCommand(config, command, rest, argv, USAGE);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
