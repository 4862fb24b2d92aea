import type { Logger } from 'pino';
import { isAriStatus, type AriRest } from '../ari/AriRest.js';
import type { FailurePolicy } from '../config/schema.js';
import type { DialplanTarget } from '../tools/CallControl.js';
import { callIdOf, ownedKind } from './callIds.js';

/**
 * After every (re)connect: compare what Asterisk says our app owns with the calls we are running.
 * - our ExternalMedia channels, transfer legs and bridges whose call is not live here (left by a crash) → deleted;
 * - callers in our app with no live session (the agent restarted while Asterisk held them in Stasis) → never left
 *   in silence: sent on per the failure policy (an Asterisk sound, then transfer/voicemail), or hung up politely.
 * Live calls are kept as they are (their media kept flowing over RTP while the websocket was down).
 */
export interface ReconcileReport {
  deletedChannels: string[];
  deletedBridges: string[];
  endedCallers: string[];
  keptCalls: number;
}

export async function reconcile(opts: {
  rest: AriRest;
  app: string;
  liveCallIds: ReadonlySet<string>;
  failurePolicy: FailurePolicy;
  failureTarget: (p: FailurePolicy) => DialplanTarget | undefined;
  logger: Logger;
}): Promise<ReconcileReport> {
  const { rest, app, liveCallIds, logger } = opts;
  const report: ReconcileReport = { deletedChannels: [], deletedBridges: [], endedCallers: [], keptCalls: 0 };
  const [application, bridges] = await Promise.all([rest.getApplication(app), rest.listBridges()]);
  const gone = (err: unknown): void => {
    if (!isAriStatus(err, 404, 422)) logger.warn({ err }, 'reconcile request failed');
  };

  for (const channelId of application.channel_ids ?? []) {
    const kind = ownedKind(channelId);
    if (kind === 'media' || kind === 'transfer') {
      const callId = callIdOf(channelId);
      if (callId !== undefined && liveCallIds.has(callId)) continue;
      await rest.hangup(channelId).catch(gone);
      report.deletedChannels.push(channelId);
      continue;
    }
    if (liveCallIds.has(channelId)) {
      report.keptCalls++;
      continue;
    }
    // A caller whose session was lost.
    const target = opts.failureTarget(opts.failurePolicy);
    await rest.play(channelId, opts.failurePolicy.sound).catch(gone);
    if (target) {
      await rest.continueInDialplan(channelId, target).catch(async (err: unknown) => {
        gone(err);
        await rest.hangup(channelId).catch(gone);
      });
    } else {
      await rest.hangup(channelId).catch(gone);
    }
    report.endedCallers.push(channelId);
  }

  const appBridges = new Set(application.bridge_ids ?? []);
  for (const b of bridges) {
    if (ownedKind(b.id) !== 'bridge' && !appBridges.has(b.id)) continue;
    if (ownedKind(b.id) !== 'bridge') continue;
    const callId = callIdOf(b.id);
    if (callId !== undefined && liveCallIds.has(callId)) continue;
    await rest.destroyBridge(b.id).catch(gone);
    report.deletedBridges.push(b.id);
  }
  return report;
}
