import type { ToolDefinition } from '../tools/ToolDefinition.js';
import type {
  AgentAudio,
  ProviderError,
  ResponseDoneInfo,
  ToolCallRequest,
  TranscriptEntry,
  TurnLatency,
  VoiceProvider,
} from '../providers/VoiceProvider.js';
import { mergeTranscriptEntry } from '../providers/mergeTranscriptEntry.js';
import type { CallMedia } from './CallMedia.js';
import type { CallSession } from './CallSession.js';

/**
 * The conversation side of a call: provider events in, media and tools out. Barge-in is one procedure, here:
 * flush playout at once, then tell the provider exactly what the caller heard of each item.
 */
export class CallConversation {
  readonly #transcript: TranscriptEntry[] = [];
  /** Items seen per response, so endOfItem can be sent for each when the response is done. */
  readonly #itemsByResponse = new Map<string, Set<string>>();
  #media: CallMedia | undefined;
  /** Agent audio (and its response ends) that arrived before the media path was up: played, in order, once it is. */
  #early: ({ audio: AgentAudio } | { done: ResponseDoneInfo })[] = [];
  #hangup: { timer: NodeJS.Timeout; farewellSpoken: boolean } | undefined;
  #greetingDone = false;
  /** Responses whose audio has all been delivered (bounded: only recent ones matter). */
  readonly #doneResponses = new Set<string>();
  readonly #doneWaiters = new Map<string, (() => void)[]>();
  /** The response that made the tool call now running: "finish the current sentence" means finish that one. */
  #toolResponseId: string | undefined;
  #disposed = false;
  bargeIns = 0;
  readonly #unsubscribe: (() => void)[] = [];

  constructor(
    private readonly session: CallSession,
    private readonly provider: VoiceProvider,
    private readonly tools: ToolDefinition[],
  ) {}

  /** Subscribe to the provider. Called before the provider starts, so nothing it says is missed. */
  listen(): void {
    const on = <K extends Parameters<VoiceProvider['on']>[0]>(event: K, fn: (...a: never[]) => void): void => {
      this.provider.on(event, fn as never);
      this.#unsubscribe.push(() => this.provider.off(event, fn as never));
    };
    on('audio', (a: AgentAudio) => this.#onAudio(a));
    on('responseDone', (r: ResponseDoneInfo) => void this.#onResponseDone(r));
    on('speechStarted', () => this.#onSpeechStarted());
    on('transcript', (t: TranscriptEntry) => this.#onTranscript(t));
    on('toolCall', (c: ToolCallRequest) => void this.#onToolCall(c));
    on('latency', (l: TurnLatency) => this.session.deps.observer.onLatency(this.session, l));
    on('error', (e: ProviderError) => this.#onError(e));
    on('closed', (c: { reason: string }) => this.#onClosed(c.reason));
  }

  /** The media path is up and the caller answered: play what the provider already sent (the greeting). */
  attach(media: CallMedia): void {
    this.#media = media;
    const early = this.#early;
    this.#early = [];
    for (const e of early) {
      if ('audio' in e) {
        // Held while the call was set up: not a delay of the media path, so the playout start counts from now.
        const { receivedAt: _held, ...audio } = e.audio;
        this.#onAudio(audio);
      }
      else void this.#onResponseDone(e.done);
    }
  }

  transcript(): readonly TranscriptEntry[] {
    return this.#transcript;
  }

  /**
   * End the call after the farewell: spoken by us when given, else the model's next spoken response. Bounded by
   * `timeoutMs` whatever happens (the farewell audio may never come).
   */
  scheduleHangup(farewell: string | undefined, timeoutMs: number): void {
    if (this.#hangup || this.#disposed) return;
    const timer = setTimeout(() => void this.session.end('agent_hangup'), timeoutMs);
    this.#hangup = { timer, farewellSpoken: false };
    if (farewell !== undefined) {
      void this.provider.say(farewell).then(async () => {
        await this.#media?.waitForPlayout(timeoutMs);
        await this.session.end('agent_hangup');
      });
    }
  }

  /**
   * What a tool means by "wait until the agent has finished its sentence": the response that called the tool has
   * delivered all its audio (a pipeline fires tools before its speech is synthesised), and that audio has played.
   */
  async waitForTurnPlayout(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const rid = this.#toolResponseId;
    if (rid !== undefined && !this.#doneResponses.has(rid) && !this.#disposed) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        const waiters = this.#doneWaiters.get(rid) ?? [];
        waiters.push(resolve);
        this.#doneWaiters.set(rid, waiters);
        timer = setTimeout(resolve, timeoutMs);
      });
      clearTimeout(timer);
    }
    await this.#media?.waitForPlayout(Math.max(0, deadline - Date.now()));
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    for (const waiters of this.#doneWaiters.values()) for (const w of waiters) w();
    this.#doneWaiters.clear();
    if (this.#hangup) clearTimeout(this.#hangup.timer);
    for (const off of this.#unsubscribe.splice(0)) off();
  }

  #onAudio(a: AgentAudio): void {
    if (!this.#media) {
      this.#early.push({ audio: a });
      return;
    }
    let items = this.#itemsByResponse.get(a.responseId);
    if (!items) {
      items = new Set();
      this.#itemsByResponse.set(a.responseId, items);
    }
    items.add(a.itemId);
    this.#media?.playAgentAudio(a);
  }

  async #onResponseDone(r: ResponseDoneInfo): Promise<void> {
    if (!this.#media) {
      this.#early.push({ done: r });
      return;
    }
    const items = this.#itemsByResponse.get(r.responseId);
    this.#itemsByResponse.delete(r.responseId);
    for (const item of items ?? []) this.#media?.endOfItem(item);
    this.#markDone(r.responseId);
    const media = this.#media;
    if (!media) return;
    if (r.greeting && !this.#greetingDone) {
      this.#greetingDone = true;
      // The gate re-opens when the greeting has been PLAYED to the caller, not merely received.
      await media.waitForPlayout(this.session.deps.config.vad.greeting_fallback_ms);
      if (this.#disposed) return;
      media.gate.greetingPlayedOut();
      media.replayGreetingSpeech();
      return;
    }
    // A hangup is pending: the first response that said something (audio, or text only — a known API bug) is the
    // farewell; end once it has drained.
    if (this.#hangup && (r.hadAudio || (r.text ?? '') !== '')) {
      await media.waitForPlayout(this.session.deps.config.tools.hangup_call.timeout_ms);
      await this.session.end('agent_hangup');
    }
  }

  #markDone(responseId: string): void {
    this.#doneResponses.add(responseId);
    if (this.#doneResponses.size > 64) {
      const oldest = this.#doneResponses.values().next().value;
      if (oldest !== undefined) this.#doneResponses.delete(oldest);
    }
    const waiters = this.#doneWaiters.get(responseId);
    this.#doneWaiters.delete(responseId);
    for (const w of waiters ?? []) w();
  }

  #onSpeechStarted(): void {
    const media = this.#media;
    if (!media || this.#disposed || !this.session.deps.config.barge_in.enabled) return;
    if (!media.gate.canBargeIn()) return;
    if (!media.agentSpeaking) return;
    this.bargeIns++;
    // Playout stops now; the exact ms heard comes back from the media clock a moment later (media drops any audio
    // of the cut responses that arrives meanwhile).
    void media.flush().then((played) => {
      if (this.#disposed) return;
      this.provider.interrupt(played);
      this.session.deps.observer.onBargeIn(this.session, played);
      this.session.logger.info({ items: played.length, played_ms: played.map((p) => p.playedMs) }, 'barge-in');
    });
  }

  #onTranscript(t: TranscriptEntry): void {
    mergeTranscriptEntry(this.#transcript, t);
    this.session.deps.observer.onTranscript(this.session, t);
  }

  async #onToolCall(c: ToolCallRequest): Promise<void> {
    if (this.#disposed) return;
    this.#toolResponseId = c.responseId;
    const { result, record } = await this.session.deps.tools.execute(c, this.session.control, this.tools);
    this.session.deps.observer.onToolCall(this.session, record);
    if (!this.#disposed && !this.session.ended) this.provider.sendToolResult(result);
  }

  #onError(e: ProviderError): void {
    this.session.logger.warn({ code: e.code, fatal: e.fatal }, `provider error: ${e.message}`);
    this.session.deps.observer.onError(this.session, e.code, undefined);
    if (e.fatal) void this.session.runFailurePolicy(`provider:${e.code}`);
  }

  #onClosed(reason: string): void {
    if (this.#disposed || this.session.ended || this.session.phase === 'transferred') return;
    void this.session.runFailurePolicy(`provider_closed:${reason}`);
  }
}
