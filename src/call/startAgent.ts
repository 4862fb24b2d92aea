import type { Logger } from 'pino';
import { AriConnection } from '../ari/AriConnection.js';
import type { AppConfig } from '../config/schema.js';
import { createMediaHost } from '../media/createMediaHost.js';
import type { MediaHost } from '../media/MediaChannel.js';
import { ToolRegistry } from '../tools/ToolRegistry.js';
import { CallController } from './CallController.js';
import { CompositeObserver, type CallObserver } from './CallObserver.js';
import { CallRecordObserver } from '../records/CallRecordObserver.js';
import { EmailService } from '../email/EmailService.js';
import { pruneCallRecords } from '../records/pruneCallRecords.js';
import { AgentOps } from '../ops/AgentOps.js';

/**
 * The running agent: ARI supervision, the call controller, and what watches calls. `npm start` → here.
 * Start-up does not wait for Asterisk: the connection retries in the background (the agent may start first).
 */
export interface RunningAgent {
  readonly controller: CallController;
  readonly ari: AriConnection;
  /** Where calls' RTP runs (the media worker thread by default). */
  readonly media: MediaHost;
  /** Current configuration (a reload swaps it for new calls). */
  config(): AppConfig;
  /** Apply a new, already validated configuration to new calls. */
  applyConfig(next: AppConfig): void;
  stop(reason: string): Promise<void>;
  /** Operations (src/ops): metrics, HTTP listener, reload, outbound calls, graceful shutdown. */
  readonly ops: AgentOps;
}

export interface StartAgentOptions {
  config: AppConfig;
  logger: Logger;
  configPath?: string;
  /** Extra observers (call records, metrics, email), in order. */
  observers?: Partial<CallObserver>[];
}

export async function startAgent(opts: StartAgentOptions): Promise<RunningAgent> {
  let config = opts.config;
  const logger = opts.logger;
  const emailEnabled = (c: AppConfig): boolean => c.email.enabled;
  let tools = ToolRegistry.fromConfig(config.tools, { emailEnabled: emailEnabled(config) });
  // Sockets and port range are set at start (a reload cannot move them).
  const media = createMediaHost(config.external_media, logger);
  await media.start();
  const ari = new AriConnection(config.asterisk, logger.child({ component: 'ari' }));
  const ops = new AgentOps({ logger, configPath: opts.configPath });
  // Email is configured once at start (SMTP settings need a restart); a failed send is spooled, never lost.
  const email = config.email.enabled
    ? new EmailService(config.email, {
        logger: logger.child({ component: 'email' }),
        onEvent: (status) => ops.metrics.recordEmail(status),
        ...(config.company_name ? { companyName: config.company_name } : {}),
      })
    : undefined;
  if (email) {
    void email.start().then((n) => n > 0 && logger.info({ resent: n }, 'resent spooled emails from a previous run'));
    ops.addFlusher(async () => {
      await email.flush(10_000);
      email.close();
    });
  }
  if (config.call_records.enabled && config.call_records.retention_days > 0) {
    void pruneCallRecords(config.call_records.dir, config.call_records.retention_days)
      .then((removed) => removed.length > 0 && logger.info({ removed: removed.length }, 'pruned old call records'))
      .catch((err: unknown) => logger.warn({ err }, 'call record pruning failed'));
  }
  const records = config.call_records.enabled
    ? new CallRecordObserver({
        dir: config.call_records.dir,
        logger,
        ...(email ? { email } : {}),
        contextEmail: (name) => config.contexts[name]?.email,
      })
    : undefined;
  const controller = new CallController({
    ari,
    config: () => config,
    tools: () => tools,
    media,
    observer: new CompositeObserver([...(records ? [records] : []), ...(opts.observers ?? []), ops.observer]),
    logger,
  });
  ari.start();
  logger.info({ ari_url: config.asterisk.ari_url, app: config.asterisk.app_name }, 'agent started; connecting to ARI');

  let stopped: Promise<void> | undefined;
  const agent: RunningAgent = {
    controller,
    ari,
    media,
    ops,
    config: () => config,
    applyConfig(next) {
      tools = ToolRegistry.fromConfig(next.tools, { emailEnabled: emailEnabled(next) });
      config = next;
    },
    stop(reason) {
      stopped ??= (async () => {
        logger.info({ reason, active_calls: controller.activeCalls }, 'agent stopping');
        controller.startDraining();
        await controller.endAll(`shutdown:${reason}`);
        await ops.close();
        email?.close();
        await ari.stop();
        await media.close();
      })();
      return stopped;
    },
  };
  try {
    await ops.attach(agent);
  } catch (err) {
    await agent.stop('ops start failed');
    throw err;
  }
  return agent;
}
