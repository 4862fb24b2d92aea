import { startAgent } from '../call/startAgent.js';
import { createLogger } from '../util/logger.js';
import { configOption, type CliCommand } from './CliCommand.js';
import { loadConfigForCli } from './loadConfigForCli.js';

/** Beyond the configured drain, the time stop() gets to close sockets and flush before we exit anyway. */
const STOP_GRACE_MS = 5_000;

export const startCommand: CliCommand = {
  name: 'start',
  summary: 'run the agent (connects to Asterisk ARI and answers calls)',
  usage: 'ai-agent start [--config FILE]',
  description:
    'Loads and validates the configuration (the agent never starts with a config it cannot honour), then\n' +
    'connects to ARI and serves calls until SIGTERM/SIGINT, when it stops taking calls, lets active ones\n' +
    'finish (shutdown.drain_timeout_s) and exits 0. A second signal exits at once.',
  options: { ...configOption },
  async run(ctx) {
    const loaded = await loadConfigForCli(ctx);
    if (!loaded) return 1;
    // .env values become real environment variables for libraries that read them (never overriding).
    if (ctx.io.env === process.env) for (const [key, value] of Object.entries(loaded.dotenv)) process.env[key] ??= value;

    const { config } = loaded;
    const logger = createLogger(config.logging, { secrets: loaded.secrets });
    for (const warning of loaded.warnings) logger.warn({ file: warning.file, line: warning.line, path: warning.path, hint: warning.hint }, `config: ${warning.message}`);
    logger.info({ config: loaded.configPath, files: loaded.files, app: config.asterisk.app_name, ari_url: config.asterisk.ari_url }, 'starting');

    let agent: Awaited<ReturnType<typeof startAgent>>;
    try {
      agent = await startAgent({ config, logger, configPath: loaded.configPath });
    } catch (error) {
      logger.fatal({ err: error }, 'the agent could not start');
      logger.flush();
      return 1;
    }

    return new Promise<number>((resolve) => {
      let stopping = false;
      const onSignal = (signal: NodeJS.Signals): void => {
        if (stopping) {
          logger.warn({ signal }, 'second signal: exiting without waiting for calls');
          logger.flush();
          process.exit(1);
        }
        stopping = true;
        logger.info({ signal }, 'stopping');
        const deadline = setTimeout(() => {
          logger.error({ signal }, 'stop did not finish in time: exiting');
          logger.flush();
          process.exit(1);
        }, config.shutdown.drain_timeout_s * 1000 + STOP_GRACE_MS);
        deadline.unref();
        agent.stop(signal).then(
          () => {
            clearTimeout(deadline);
            logger.info('stopped');
            logger.flush();
            resolve(0);
            process.exit(0);
          },
          (error: unknown) => {
            logger.error({ err: error }, 'error while stopping');
            logger.flush();
            resolve(1);
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
  },
};
