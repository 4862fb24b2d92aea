import type { Logger } from 'pino';
import { isAriStatus, type AriRest } from '../ari/AriRest.js';
import type { AriChannel } from '../ari/ariEvents.js';
import type { AppConfig } from '../config/schema.js';
import { resolveCallSetup } from '../config/resolveCallSetup.js';
import { renderTemplate, templateVars } from '../config/renderTemplate.js';
import type { MediaChannel, MediaHost } from '../media/MediaChannel.js';
import type { RtpSessionStats } from '../media/RtpSession.js';
import { outboundCodecFor } from '../media/wireCodec.js';
import { createProvider } from '../providers/createProvider.js';
import type { VoiceProvider } from '../providers/VoiceProvider.js';
import type { ToolRegistry } from '../tools/ToolRegistry.js';
import type { CallOutcome } from '../tools/CallControl.js';
import { bridgeIdFor, mediaChannelIdFor } from './callIds.js';
import { ChannelPlayback } from './ChannelPlayback.js';
import { CallConversation } from './CallConversation.js';
import { CallMedia } from './CallMedia.js';
import type { CallObserver } from './CallObserver.js';
import { SessionControl } from './SessionControl.js';

/**
 * Everything about one call: set-up (bridge, ExternalMedia, RTP, provider), the conversation, and teardown.
 * The controller only routes ARI events here; per-call state lives nowhere else.
 *
 * Set-up never sleeps or polls: the ExternalMedia channel is added to the bridge when its own StasisStart has
 * arrived (adding it earlier fails with 422), whichever of the REST reply and the event comes first. The caller
 * hanging up at any step ends set-up in a defined state: everything created so far is deleted.
 */
export interface CallSessionDeps {
  rest: AriRest;
  app: string;
  config: AppConfig;
  media: MediaHost;
  tools: ToolRegistry;
  observer: CallObserver;
  /** Called once, after teardown (the controller forgets the session). */
  onEnded?: (s: CallSession) => void;
  logger: Logger;
  /** Variables passed by an outbound call request (template variables, context choice). */
  extraVars?: Record<string, string> | undefined;
}

export type SessionPhase = 'setup' | 'active' | 'transferred' | 'ending' | 'ended';

class CallEnded extends Error {}
/** The provider could not start (401, unreachable…): the policy must not ask it to apologise. */
class ProviderStartFailed extends Error {}

/** How long the media channel's StasisStart may take after its REST reply (observed: 2–7 ms). */
const MEDIA_STASIS_TIMEOUT_MS = 5_000;
/** Bound on an apology (Asterisk sound or provider speech): a missing PlaybackFinished must not hold the caller. */
const APOLOGY_TIMEOUT_MS = 8_000;

export class CallSession {
  readonly callId: string;
  readonly startedAt = new Date();
  readonly logger: Logger;
  phase: SessionPhase = 'setup';
  outcome: CallOutcome = 'abandoned';
  endReason = '';
  contextName = '';
  providerKey = '';
  profileName = '';
  provider: VoiceProvider | undefined;
  media: CallMedia | undefined;
  conversation: CallConversation | undefined;
  readonly control: SessionControl;
  readonly bridgeId: string;
  readonly mediaChannelId: string;
  #rtp: MediaChannel | undefined;
  #bridgeCreated = false;
  #mediaCreated = false;
  #mediaInStasis = false;
  #mediaStasisWaiter: (() => void) | undefined;
  #callerGone = false;
  #ended: Promise<void> | undefined;
  #failure: Promise<void> | undefined;
  readonly #playback: ChannelPlayback;

  constructor(
    readonly caller: AriChannel,
    readonly deps: CallSessionDeps,
  ) {
    this.callId = caller.id;
    this.bridgeId = bridgeIdFor(caller.id);
    this.mediaChannelId = mediaChannelIdFor(caller.id);
    this.logger = deps.logger.child({ call_id: caller.id });
    this.control = new SessionControl(this);
    this.#playback = new ChannelPlayback(deps.rest, caller.id, this.logger);
  }

  get callerNumber(): string {
    return this.caller.caller.number;
  }

  get callerName(): string {
    return this.caller.caller.name;
  }

  /** RTP counters of this call's media path (metrics), once it exists. */
  rtpStats(): RtpSessionStats | undefined {
    return this.#rtp?.stats();
  }

  get ended(): boolean {
    return this.phase === 'ending' || this.phase === 'ended';
  }

  /** Build the call. Resolves when the agent is live (or the call ended on the way). Never rejects. */
  async start(): Promise<void> {
    try {
      await this.#setup();
    } catch (err) {
      if (err instanceof CallEnded || this.ended) {
        const sentOn = this.phase === 'transferred';
        this.logger.info({ phase: this.phase }, sentOn ? 'caller sent on during set-up' : 'caller left during set-up');
        await this.end(this.endReason || (sentOn ? 'left_stasis' : 'caller_hangup'));
        return;
      }
      const reason = err instanceof ProviderStartFailed ? 'provider:start_failed' : 'setup_failed';
      this.logger.error({ err: err instanceof ProviderStartFailed ? err.cause : err, reason }, 'call set-up failed');
      this.deps.observer.onError(this, reason, err);
      await this.runFailurePolicy(reason);
    }
  }

  async #setup(): Promise<void> {
    const { rest, config } = this.deps;
    const [ctxVar, providerVar, profileVar] = await Promise.all(
      ['AI_CONTEXT', 'AI_PROVIDER', 'AI_AUDIO_PROFILE'].map((v) => rest.getChannelVar(this.callId, v).catch(() => undefined)),
    );
    this.#check();
    const setup = resolveCallSetup(config, {
      context: this.deps.extraVars?.AI_CONTEXT ?? ctxVar,
      provider: this.deps.extraVars?.AI_PROVIDER ?? providerVar,
      profile: this.deps.extraVars?.AI_AUDIO_PROFILE ?? profileVar,
    });
    for (const w of setup.warnings) this.logger.warn({ warning: w }, 'call set-up fallback');
    this.contextName = setup.contextName;
    this.providerKey = setup.providerKey;
    this.profileName = setup.profileName;
    this.deps.observer.onStart(this);

    const vars = templateVars({
      callId: this.callId,
      callerName: this.callerName,
      callerNumber: this.callerNumber,
      contextName: setup.contextName,
      companyName: setup.context.company_name ?? config.company_name,
      now: this.startedAt,
      extra: this.deps.extraVars,
    });
    const provider = createProvider({ setup, profile: setup.profile, vad: config.vad, logger: this.logger });
    this.provider = provider;
    const tools = this.deps.tools.forContext(setup.context.tools);
    this.conversation = new CallConversation(this, provider, tools);
    this.conversation.listen();
    // The provider connects (and may start the greeting) while ARI builds the media path.
    const providerReady = provider.start({
      callId: this.callId,
      instructions: renderTemplate(setup.context.prompt, vars),
      greeting: renderTemplate(setup.context.greeting, vars),
      voice: setup.context.voice,
      tools,
      logger: this.logger,
    });
    providerReady.catch(() => undefined);

    await rest.createBridge(this.bridgeId, `ai-${this.callId}`);
    this.#bridgeCreated = true;
    this.#check();
    await rest.addChannel(this.bridgeId, this.callId);
    this.#check();

    const em = config.external_media;
    const wireCodec = setup.profile.wire_codec;
    const rtp = await this.deps.media.open({
      inboundCodec: wireCodec,
      outboundCodec: outboundCodecFor(wireCodec),
      allowedHosts: em.allowed_remote_hosts,
      gapFill: { afterMs: em.gap_fill_after_ms },
      logger: this.logger,
    });
    if (this.ended) {
      // Teardown ran while the port was being bound: it could not close what it did not have yet.
      await rtp.close();
      throw new CallEnded();
    }
    this.#rtp = rtp;
    // The media worker died under the call: end it by policy (Asterisk apologises; the provider cannot be heard).
    rtp.once('failed', (why) => void this.runFailurePolicy(`media:${why}`));
    const port = rtp.port;
    this.#check();
    this.#mediaCreated = true;
    const reply = await rest.externalMedia({
      channelId: this.mediaChannelId,
      app: this.deps.app,
      externalHost: `${em.advertise_host}:${port}`,
      format: wireCodec,
      data: `media,${this.callId}`,
    });
    const host = reply.channelvars?.UNICASTRTP_LOCAL_ADDRESS;
    const rport = Number(reply.channelvars?.UNICASTRTP_LOCAL_PORT);
    if (!host || !Number.isInteger(rport) || rport <= 0) throw new Error('externalMedia reply has no UNICASTRTP_LOCAL_ADDRESS/PORT');
    rtp.setRemote(host, rport);
    this.#check();
    await this.#mediaInStasisPromise();
    this.#check();
    await rest.addChannel(this.bridgeId, this.mediaChannelId);
    this.#check();

    await rest.answer(this.callId);
    this.#check();
    this.deps.observer.onAnswer(this);
    this.phase = 'active';
    this.media = new CallMedia({
      rtp,
      wireCodec,
      providerInput: provider.inputFormat,
      providerOutput: provider.outputFormat,
      vad: config.vad,
      rawAudio: provider.rawCallerAudio === true,
      logger: this.logger,
      sink: (chunk) => provider.sendAudio(chunk),
      onPlayoutStart: (p) => this.deps.observer.onPlayoutStart(this, p),
    });
    if (config.vad.greeting_protection && provider.rawCallerAudio !== true) this.media.gate.beginGreeting();
    this.conversation.attach(this.media);
    await providerReady.catch((err: unknown) => {
      throw new ProviderStartFailed('provider did not start', { cause: err });
    });
    this.#check();
    this.logger.info({ context: this.contextName, provider: this.providerKey, profile: this.profileName }, 'call live');
  }

  /**
   * Throws CallEnded when the caller has gone — hung up, or already sent on by the failure policy (a provider can
   * fail while ARI set-up is still running) — so set-up stops at the next step and never answers a departed caller.
   */
  #check(): void {
    if (this.ended || this.phase === 'transferred') throw new CallEnded();
  }

  #mediaInStasisPromise(): Promise<void> {
    if (this.#mediaInStasis) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#mediaStasisWaiter = undefined;
        reject(new Error('ExternalMedia channel never entered Stasis'));
      }, MEDIA_STASIS_TIMEOUT_MS);
      this.#mediaStasisWaiter = () => {
        clearTimeout(timer);
        this.#mediaStasisWaiter = undefined;
        resolve();
      };
    });
  }

  // ---- events routed by the controller ----

  onMediaStasisStart(): void {
    this.#mediaInStasis = true;
    this.#mediaStasisWaiter?.();
  }

  /** Our ExternalMedia channel went away underneath us (hung up from the CLI, Asterisk trouble). */
  onMediaGone(): void {
    this.#mediaCreated = false;
    if (!this.ended && this.phase !== 'transferred') void this.runFailurePolicy('media_channel_gone');
  }

  onPlaybackFinished(playbackId: string): void {
    this.#playback.onFinished(playbackId);
  }

  onCallerStasisEnd(): void {
    this.#callerGone = true;
    this.#mediaStasisWaiter?.();
    if (this.phase !== 'transferred' && this.outcome === 'abandoned' && this.phase === 'active') this.outcome = 'completed';
    void this.end(this.phase === 'transferred' ? 'left_stasis' : 'caller_hangup');
  }

  // ---- policy and teardown ----

  /**
   * The provider cannot go on (or set-up failed): apologise, then transfer / voicemail / hang up as configured.
   * The caller never sits in silence: if the provider cannot speak, Asterisk plays a sound.
   */
  runFailurePolicy(reason: string): Promise<void> {
    // Once per call: a provider failure is reported both as its error event and as the rejection of its start().
    this.#failure ??= this.#runFailurePolicy(reason);
    return this.#failure;
  }

  async #runFailurePolicy(reason: string): Promise<void> {
    if (this.ended || this.phase === 'transferred') return;
    const policy = this.deps.config.on_provider_failure;
    this.outcome = 'failed';
    this.logger.warn({ reason, action: policy.action }, 'running on_provider_failure policy');
    void this.media?.flush();
    if (!this.#callerGone) {
      // The provider can still apologise in its own voice when it is not what failed; otherwise Asterisk does.
      const providerUsable = this.media !== undefined && this.provider !== undefined && !reason.startsWith('provider') && !reason.startsWith('media');
      if (providerUsable && policy.message) {
        this.media?.setPaused(false);
        await Promise.race([this.provider?.say(policy.message), new Promise((r) => setTimeout(r, APOLOGY_TIMEOUT_MS))]);
        await this.media?.waitForPlayout(APOLOGY_TIMEOUT_MS);
      } else {
        await this.#playback.play(policy.sound, APOLOGY_TIMEOUT_MS);
      }
    }
    if (this.ended) return;
    const target = this.control.failureTarget(policy);
    if (target && !this.#callerGone) {
      try {
        await this.control.continueInDialplan(target, policy.action === 'voicemail' ? 'voicemail' : 'transferred');
        this.outcome = 'failed';
        return;
      } catch (err) {
        this.logger.warn({ err }, 'failure policy transfer failed; hanging up');
      }
    }
    await this.end(`failure:${reason}`);
  }

  /** Mark the caller as sent elsewhere: teardown must not hang them up. */
  markTransferred(outcome: 'transferred' | 'voicemail'): void {
    this.phase = 'transferred';
    this.outcome = outcome;
  }

  /** Idempotent teardown. `reason` is recorded; the caller is hung up unless they left or were sent on. */
  end(reason: string): Promise<void> {
    this.#ended ??= this.#teardown(reason);
    return this.#ended;
  }

  /** Stop everything on our side of the media path: conversation, gate, provider, RTP socket, port. Idempotent. */
  async #stopAgent(): Promise<void> {
    await this.conversation?.dispose();
    this.media?.close();
    await this.provider?.close().catch(() => undefined);
    await this.#rtp?.close();
  }

  /** After an answered bridged transfer: the AI leg leaves the bridge; caller and target talk directly. */
  async detachAgent(): Promise<void> {
    await this.#stopAgent();
    if (this.#mediaCreated) {
      this.#mediaCreated = false;
      await this.deps.rest.hangup(this.mediaChannelId).catch(() => undefined);
    }
  }

  async #teardown(reason: string): Promise<void> {
    // Blind transfer / voicemail: the caller left Stasis into the dialplan and must not be hung up.
    const sentOn = this.phase === 'transferred' && this.control.bridgedLegId === undefined;
    this.phase = 'ending';
    this.endReason = reason;
    if (this.outcome === 'abandoned' && reason === 'agent_hangup') this.outcome = 'completed';
    const { rest } = this.deps;
    this.#mediaStasisWaiter?.();
    this.#playback.releaseAll();
    await this.control.dispose();
    await this.#stopAgent();
    const ignoreGone = (err: unknown): void => {
      if (!isAriStatus(err, 404, 422)) this.logger.warn({ err }, 'teardown request failed');
    };
    const jobs: Promise<unknown>[] = [];
    if (this.#mediaCreated) jobs.push(rest.hangup(this.mediaChannelId).catch(ignoreGone));
    if (this.control.bridgedLegId && !this.control.bridgedLegGone) jobs.push(rest.hangup(this.control.bridgedLegId).catch(ignoreGone));
    if (!this.#callerGone && !sentOn) jobs.push(rest.hangup(this.callId).catch(ignoreGone));
    await Promise.all(jobs);
    if (this.#bridgeCreated) await rest.destroyBridge(this.bridgeId).catch(ignoreGone);
    this.phase = 'ended';
    this.logger.info(
      {
        reason,
        outcome: this.outcome,
        duration_ms: Date.now() - this.startedAt.getTime(),
        // A normal call has a few gate transitions (greeting, each agent turn); dozens means noise flapping it.
        gate_openings: this.media?.gate.openings ?? 0,
        gate_closings: this.media?.gate.closings ?? 0,
        barge_ins: this.conversation?.bargeIns ?? 0,
      },
      'call ended',
    );
    this.deps.observer.onEnd(this);
    this.deps.onEnded?.(this);
  }
}
