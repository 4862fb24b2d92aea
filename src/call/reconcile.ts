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
  /** Calls we were running whose caller Asterisk no longer has (their StasisEnd was lost while we were away). */
  lostCalls: string[];
  keptCalls: number;
}

/**
 * A caller listed by Asterisk but unknown to us may simply be a new call whose StasisStart is still on its way (the
 * REST reply and the websocket event travel on different connections). Callers are only treated as orphans if they
 * are still unknown after this grace.
 */
export const ORPHAN_CALLER_GRACE_MS = 1_000;

export async function reconcile(opts: {
  rest: AriRest;
  app: string;
  /** Asked at decision time, not snapshotted: calls keep arriving while we reconcile. */
  isLive: (callId: string) => boolean;
  /** The calls running before the check started: each must still be in the app, or its caller is gone. */
  runningCallIds: readonly string[];
  /** End a call whose caller is gone (as if its StasisEnd had arrived). */
  endLostCall: (callId: string) => void;
  graceMs?: number;
  failurePolicy: FailurePolicy;
  failureTarget: (p: FailurePolicy) => DialplanTarget | undefined;
  logger: Logger;
}): Promise<ReconcileReport> {
  const { rest, app, isLive, logger } = opts;
  const report: ReconcileReport = { deletedChannels: [], deletedBridges: [], endedCallers: [], lostCalls: [], keptCalls: 0 };
  const running = [...opts.runningCallIds];
  const [application, bridges] = await Promise.all([rest.getApplication(app), rest.listBridges()]);
  // A call that was running before we asked is in the app's list unless its caller left while we were away
  // (hung up during an ARI outage, or Asterisk restarted): its RTP socket and provider session must not live on.
  const inApp = new Set(application.channel_ids ?? []);
  for (const callId of running) {
    if (inApp.has(callId) || !isLive(callId)) continue;
    opts.endLostCall(callId);
    report.lostCalls.push(callId);
  }
  const gone = (err: unknown): void => {
    if (!isAriStatus(err, 404, 422)) logger.warn({ err }, 'reconcile request failed');
  };

  const suspects: string[] = [];
  for (const channelId of application.channel_ids ?? []) {
    const kind = ownedKind(channelId);
    if (kind === 'media' || kind === 'transfer') {
      const callId = callIdOf(channelId);
      if (callId !== undefined && isLive(callId)) continue;
      await rest.hangup(channelId).catch(gone);
      report.deletedChannels.push(channelId);
      continue;
    }
    if (kind === 'outbound' || isLive(channelId)) {
      report.keptCalls++;
      continue;
    }
    suspects.push(channelId);
  }
  if (suspects.length > 0) await new Promise((r) => setTimeout(r, opts.graceMs ?? ORPHAN_CALLER_GRACE_MS));
  const stillInApp = suspects.length > 0 ? new Set((await rest.getApplication(app)).channel_ids ?? []) : new Set<string>();
  for (const channelId of suspects) {
    if (isLive(channelId) || !stillInApp.has(channelId)) continue;
    // A caller whose session was lost: never left in silence.
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

  for (const b of bridges) {
    // Only bridges we created (by id); a bridge of another app is none of our business.
    if (ownedKind(b.id) !== 'bridge') continue;
    const callId = callIdOf(b.id);
    if (callId !== undefined && isLive(callId)) continue;
    await rest.destroyBridge(b.id).catch(gone);
    report.deletedBridges.push(b.id);
  }
  return report;
}
