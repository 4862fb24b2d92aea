import type { Logger } from 'pino';
import type { PipelineConfig, ProfileConfig, VadConfig } from '../../config/schema.js';
import { toChatTool, type ChatToolSchema } from '../../tools/toolSchemas.js';
import { TypedEmitter } from '../../util/TypedEmitter.js';
import type { EndpointEvent } from '../../vad/Endpointer.js';
import type {
  AudioFormat,
  PlayedItem,
  ProviderError,
  ProviderEvents,
  ProviderStartOptions,
  ToolCallResult,
  TurnLatency,
  VoiceProvider,
} from '../VoiceProvider.js';
import { rmsDbfs } from './audioLevel.js';
import { CallerEndpointing } from './CallerEndpointing.js';
import { ChatClient } from './ChatClient.js';
import { ConversationHistory } from './ConversationHistory.js';
import { hallucinationReason } from './hallucinationFilter.js';
import { SentenceSplitter } from './SentenceSplitter.js';
import { SpokenResponse, type ResponseKind } from './SpokenResponse.js';
import { ResponseLedger } from './ResponseLedger.js';
import { isAbort, toProviderError, type StageName } from './stageClient.js';
import { SttClient } from './SttClient.js';
import { ToolWaiter } from './ToolWaiter.js';
import { TtsClient } from './TtsClient.js';

/**
 * The hybrid provider: local endpointing → STT → Chat Completions (streamed, tools) → TTS (streamed per sentence).
 *
 * Turns run one at a time on a chain (audio of two replies never interleaves). A new utterance supersedes a turn
 * that is still thinking (LLM before any audio) or waiting for tool results: that turn stops and the new one
 * answers with the whole history. A turn that is speaking finishes (or is cut by the session's barge-in through
 * `interrupt`). An utterance whose STT ends while another utterance is already queued only adds its text.
 */

export interface PipelineProviderOptions {
  key: string;
  config: PipelineConfig;
  profile: ProfileConfig;
  vad: VadConfig;
  logger: Logger;
  /** The fetch the SDK clients use (tests, proxies). */
  fetch?: typeof fetch;
}

interface Utterance {
  pcm: Int16Array;
  durationMs: number;
  speechMs: number;
  startAtMs: number;
  endAtMs: number;
}

type TurnPhase = 'stt' | 'thinking' | 'speaking' | 'tools' | 'done';

interface Turn {
  controller: AbortController;
  phase: TurnPhase;
  latency?: TurnLatency;
}

/** Sentences in flight per reply: the playing one and one synthesised ahead (TTS is faster than real time). */
const TTS_CONCURRENCY = 2;
/** Model → tools → model rounds per turn: a model looping on tools must not hold the call. */
const MAX_TOOL_ROUNDS = 5;
/** Utterances quieter than this are line noise, not speech: not worth an STT request (Whisper invents text). */
const MIN_UTTERANCE_DBFS = -60;

export class PipelineProvider extends TypedEmitter<ProviderEvents> implements VoiceProvider {
  readonly name: string;
  readonly inputFormat: AudioFormat;
  readonly outputFormat: AudioFormat;
  readonly #cfg: PipelineConfig;
  readonly #stt: SttClient;
  readonly #chat: ChatClient;
  readonly #tts: TtsClient;
  readonly #caller: CallerEndpointing;
  #log: Logger;
  #history = new ConversationHistory({ systemPrompt: '', maxChars: 1 });
  #tools: ChatToolSchema[] = [];
  #voice: string | undefined;
  readonly #ledger = new ResponseLedger({
    history: () => this.#history,
    fire: (event, ...args) => this.#fire(event, ...args),
    reportError: (stage, err) => this.#reportError(stage, err),
  });
  readonly #toolWaiter = new ToolWaiter();
  readonly #closeController = new AbortController();
  #chain: Promise<void> = Promise.resolve();
  #turn: Turn | undefined;
  /** User utterances waiting on the chain (not yet started). */
  #queuedUtterances = 0;
  #speechStartAtMs = 0;
  #turnNo = 0;
  #responseNo = 0;
  #started = false;
  #closed = false;
  readonly stats = { filtered: 0, silentUtterances: 0, lateAudioDropped: 0, unknownToolResults: 0 };

  constructor(o: PipelineProviderOptions) {
    super();
    this.name = o.key;
    this.#cfg = o.config;
    this.#log = o.logger;
    // STT wants 8 or 16 kHz (what Whisper works at; more is upload for nothing): take the profile's rate when it is
    // one of those, else 16 kHz. TTS `pcm` is 24 kHz (OpenAI, Kokoro; `tts.sample_rate` for a server that differs),
    // so that is what we emit as is; the media engine resamples both ways with its per-call resamplers.
    this.inputFormat = { encoding: 'pcm16', sampleRate: o.profile.provider_rate === 24000 ? 16000 : o.profile.provider_rate };
    this.outputFormat = { encoding: 'pcm16', sampleRate: o.config.tts.sample_rate };
    this.#caller = new CallerEndpointing(this.inputFormat.sampleRate as 8000 | 16000, o.config.endpointing, o.vad);
    this.#stt = new SttClient(o.config.stt, o.fetch);
    this.#chat = new ChatClient(o.config.llm, o.fetch);
    this.#tts = new TtsClient(o.config.tts, o.fetch);
  }

  async start(options: ProviderStartOptions): Promise<void> {
    if (this.#closed) throw Object.assign(new Error('provider closed'), { code: 'closed' });
    this.#log = options.logger;
    try {
      this.#tools = options.tools.map(toChatTool);
    } catch (err) {
      throw Object.assign(new Error(`tool schema: ${(err as Error).message}`), { code: 'invalid_tools' });
    }
    this.#history = new ConversationHistory({ systemPrompt: options.instructions, maxChars: this.#cfg.llm.history_max_chars });
    this.#voice = options.voice;
    this.#started = true;
    const greeting = options.greeting.trim();
    if (greeting !== '') {
      this.#enqueue(async (turn) => {
        turn.phase = 'speaking';
        await this.#speakFixed('greeting', greeting, turn.controller.signal);
      });
    }
  }

  sendAudio(chunk: Buffer): void {
    if (!this.#started || this.#closed) return;
    this.#caller.push(chunk, this.#onEndpoint);
  }

  interrupt(played: PlayedItem[]): void {
    if (this.#closed) return;
    const listed = new Set<SpokenResponse>();
    for (const p of played) {
      const r = this.#ledger.get(p.itemId);
      if (r === undefined) continue;
      listed.add(r);
      this.#ledger.cut(r, p.playedMs);
    }
    // Active responses the session did not list have nothing queued for playout: all they delivered was heard.
    for (const r of this.#ledger.active()) if (!listed.has(r)) this.#ledger.cut(r, r.speech.deliveredMs);
    const turn = this.#turn;
    if (turn !== undefined && turn.phase !== 'stt') turn.controller.abort();
  }

  sendToolResult(result: ToolCallResult): void {
    if (this.#closed) return;
    if (!this.#history.setToolResult(result.callId, result.output)) this.stats.unknownToolResults++;
    this.#toolWaiter.resolve(result.callId);
  }

  /** Never rejects (callers chain on it): a TTS failure is reported as an `error` event, then it resolves. */
  async say(text: string): Promise<void> {
    if (this.#closed || text.trim() === '') return;
    // Never after a reply's audio that is still being delivered (the farewell comes after the last words).
    const speaking = this.#ledger.active().filter((r) => r.kind !== 'say' && r.speech.deliveredMs > 0);
    await Promise.all(speaking.map((r) => r.speech.done.catch(() => undefined)));
    await this.#speakFixed('say', text, this.#closeController.signal);
  }

  notify(text: string): void {
    if (this.#closed || !this.#started) return;
    this.#history.addSystem(text);
    this.#enqueue((turn) => this.#respond(turn));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const r of this.#ledger.active()) r.stop('cancelled');
    this.#turn?.controller.abort();
    this.#closeController.abort();
    this.#toolWaiter.cancelAll();
    await this.#chain.catch(() => undefined);
  }

  // ── turn taking ───────────────────────────────────────────────────────────────────────────────────────────────

  readonly #onEndpoint = (ev: EndpointEvent): void => {
    const now = Date.now();
    if (ev.type === 'speech_start') {
      this.#speechStartAtMs = now;
      this.#fire('speechStarted', { atMs: now });
      return;
    }
    this.#fire('speechStopped', { atMs: now });
    if (ev.type === 'discarded') {
      this.#log.debug({ reason: ev.reason, duration_ms: ev.durationMs }, 'utterance discarded');
      return;
    }
    const utt: Utterance = { pcm: ev.pcm, durationMs: ev.durationMs, speechMs: ev.speechMs, startAtMs: this.#speechStartAtMs, endAtMs: now };
    this.#queuedUtterances++;
    const cur = this.#turn;
    if (cur !== undefined && (cur.phase === 'thinking' || cur.phase === 'tools')) cur.controller.abort();
    this.#enqueue((turn) => this.#userTurn(turn, utt));
  };

  #enqueue(work: (turn: Turn) => Promise<void>): void {
    this.#chain = this.#chain
      .then(async () => {
        if (this.#closed) return;
        const turn: Turn = { controller: new AbortController(), phase: 'stt' };
        this.#turn = turn;
        try {
          await work(turn);
        } finally {
          turn.phase = 'done';
          if (this.#turn === turn) this.#turn = undefined;
        }
      })
      .catch((err: unknown) => this.#log.error({ err }, 'pipeline turn failed unexpectedly'));
  }

  async #userTurn(turn: Turn, utt: Utterance): Promise<void> {
    this.#queuedUtterances--;
    if (utt.speechMs < this.#cfg.endpointing.min_utterance_ms) return;
    const level = rmsDbfs(utt.pcm);
    if (level < MIN_UTTERANCE_DBFS) {
      this.stats.silentUtterances++;
      return;
    }
    const latency: TurnLatency = { turn: ++this.#turnNo, speechEndAt: utt.endAtMs };
    turn.latency = latency;
    try {
      let text: string;
      try {
        text = await this.#stt.transcribe(utt.pcm, this.inputFormat.sampleRate, turn.controller.signal);
      } catch (err) {
        if (!isAbort(err)) this.#reportError('stt', err);
        return;
      }
      latency.transcriptAt = Date.now();
      const reason = hallucinationReason(text, { durationMs: utt.durationMs, rmsDbfs: level });
      if (reason !== null) {
        this.stats.filtered++;
        this.#log.info({ reason, transcript: text, duration_ms: utt.durationMs }, 'transcript dropped as STT filler');
        return;
      }
      this.#history.addUser(text);
      this.#fire('transcript', { role: 'user', text, atMs: utt.startAtMs });
      if (this.#queuedUtterances > 0 || this.#closed) return; // the next utterance's turn answers both
      await this.#respond(turn);
    } finally {
      if (latency.transcriptAt !== undefined) this.#fire('latency', latency);
    }
  }

  async #respond(turn: Turn): Promise<void> {
    for (let round = 0; round < MAX_TOOL_ROUNDS; round++) {
      if (turn.controller.signal.aborted || this.#closed) return;
      turn.phase = 'thinking';
      const r = this.#newResponse('reply', turn.controller.signal);
      const ok = await this.#generate(r, turn);
      if (!ok || r.toolCalls.length === 0) return;
      turn.phase = 'tools';
      await this.#toolWaiter.waitFor(r.toolCalls.map((c) => c.id), turn.controller.signal);
      if (this.#queuedUtterances > 0) return;
    }
    this.#log.warn({ rounds: MAX_TOOL_ROUNDS }, 'tool rounds exhausted for this turn');
  }

  /** One LLM call and its speech. True when the response completed. */
  async #generate(r: SpokenResponse, turn: Turn): Promise<boolean> {
    const lat = turn.latency;
    const splitter = new SentenceSplitter();
    const enqueue = (sentences: string[]): void => {
      for (const s of sentences) {
        if (lat !== undefined && lat.firstSentenceAt === undefined) lat.firstSentenceAt = Date.now();
        r.speech.push(s);
      }
    };
    r.generating = true;
    let result;
    try {
      result = await this.#chat.stream(
        this.#history.messages(),
        this.#tools,
        {
          onText: (delta) => {
            if (r.state !== 'active') return;
            if (lat !== undefined && lat.firstTokenAt === undefined) lat.firstTokenAt = Date.now();
            r.text += delta;
            enqueue(splitter.push(delta));
          },
        },
        r.signal,
      );
    } catch (err) {
      r.generating = false;
      return this.#ledger.endFailed(r, 'llm', err);
    }
    r.generating = false;
    if (r.state !== 'active') return false;
    enqueue(splitter.flush());
    r.speech.end();
    r.toolCalls = result.toolCalls;
    if (r.toolCalls.length > 0) {
      // Written now so results can land; the tools run while the reply's words are still being spoken.
      r.historyId = this.#history.addAssistant(r.text.trim(), r.toolCalls);
      this.#toolWaiter.register(r.toolCalls.map((c) => c.id));
      for (const c of r.toolCalls) {
        this.#fire('toolCall', { callId: c.id, name: c.name, argumentsJson: c.arguments, responseId: r.responseId });
      }
    }
    try {
      await r.speech.done;
    } catch (err) {
      return this.#ledger.endFailed(r, 'tts', err);
    }
    if (r.state !== 'active') return false;
    this.#ledger.complete(r);
    return true;
  }

  /** Greeting and say(): fixed text, TTS only. Never rejects: a failure is an `error` event and a failed response. */
  async #speakFixed(kind: ResponseKind, text: string, parent: AbortSignal): Promise<void> {
    const r = this.#newResponse(kind, parent);
    r.text = text;
    const splitter = new SentenceSplitter();
    for (const s of [...splitter.push(text), ...splitter.flush()]) r.speech.push(s);
    r.speech.end();
    try {
      await r.speech.done;
    } catch (err) {
      this.#ledger.endFailed(r, 'tts', err);
      return;
    }
    if (r.state === 'active') this.#ledger.complete(r);
  }

  // ── responses ─────────────────────────────────────────────────────────────────────────────────────────────────

  #newResponse(kind: ResponseKind, parent: AbortSignal): SpokenResponse {
    const n = ++this.#responseNo;
    const r = new SpokenResponse({
      responseId: `resp_pl_${n}`,
      itemId: `item_pl_${n}`,
      kind,
      concurrency: TTS_CONCURRENCY,
      bytesPerMs: (this.outputFormat.sampleRate * 2) / 1000,
      parentSignal: parent,
      synthesize: (text, signal) => this.#tts.synthesize(text, { voice: this.#voice, signal }),
      onAudio: (resp, chunk) => this.#onAudio(resp, chunk),
    });
    this.#ledger.add(r);
    return r;
  }

  #onAudio(r: SpokenResponse, chunk: Buffer): void {
    if (this.#closed) {
      this.stats.lateAudioDropped++;
      return;
    }
    const turn = this.#turn;
    if (r.kind === 'reply' && turn !== undefined) {
      if (turn.phase === 'thinking') turn.phase = 'speaking';
      if (turn.latency !== undefined && turn.latency.firstAudioAt === undefined) turn.latency.firstAudioAt = Date.now();
    }
    this.emit('audio', { audio: chunk, responseId: r.responseId, itemId: r.itemId });
  }

  // ── events ────────────────────────────────────────────────────────────────────────────────────────────────────

  #reportError(stage: StageName, err: unknown): void {
    const e: ProviderError = toProviderError(stage, err);
    this.#log.warn({ stage, code: e.code, fatal: e.fatal }, `pipeline ${stage} failed: ${e.message}`);
    // An 'error' event without a listener would throw from EventEmitter: the session always listens, tests may not.
    if (this.listenerCount('error') > 0) this.#fire('error', e);
  }

  #fire<K extends keyof ProviderEvents & string>(event: K, ...args: ProviderEvents[K]): void {
    if (this.#closed) return;
    this.emit(event, ...args);
  }
}
