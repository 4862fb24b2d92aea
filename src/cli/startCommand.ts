import { startAgent } from '../call/startAgent.js';
import { installSignalHandlers, SHUTDOWN_OVERHEAD_MS } from '../ops/shutdown.js';
import { createLogger } from '../util/logger.js';
import { configOption, type CliCommand } from './CliCommand.js';
import { loadConfigForCli } from './loadConfigForCli.js';

/** Beyond the drain and the shutdown's own bounded steps, the time stop() gets to close sockets before we exit anyway. */
const STOP_GRACE_MS = 5_000;

export const startCommand: CliCommand = {
  name: 'start',
  summary: 'run the agent (connects to Asterisk ARI and answers calls)',
  usage: 'ai-agent start [--config FILE]',
  description:
    'Loads and validates the configuration (the agent never starts with a config it cannot honour), then\n' +
    'connects to ARI and serves calls until SIGTERM/SIGINT, when it stops taking calls, lets active ones\n' +
    'finish (shutdown.drain_timeout_s) and exits 0. A second signal exits at once. SIGHUP reloads the\n' +
    'configuration for new calls (an invalid one is refused and the old one kept).',
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

    // SIGTERM/SIGINT: drain, end the rest, flush, exit 0; a second signal exits at once. SIGHUP: reload (src/ops).
    return new Promise<number>((resolve) => {
      installSignalHandlers({
        logger,
        shutdown: async (signal) => {
          const deadline = setTimeout(() => {
            logger.error({ signal }, 'stop did not finish in time: exiting');
            logger.flush();
            process.exit(1);
          }, config.shutdown.drain_timeout_s * 1000 + SHUTDOWN_OVERHEAD_MS + STOP_GRACE_MS);
          deadline.unref();
          await agent.ops.shutdown({ reason: signal });
          clearTimeout(deadline);
        },
        reload: () => agent.ops.reload(),
        exit: (code) => {
          logger.info({ exit_code: code }, code === 0 ? 'stopped' : 'exiting');
          logger.flush();
          resolve(code);
          process.exit(code);
        },
      });
    });
  },
};
