import type { Logger } from 'pino';
import type { TypedEmitter } from '../util/TypedEmitter.js';
import type { ToolDefinition } from '../tools/ToolDefinition.js';

/**
 * The one interface every provider implements (OpenAI Realtime, hybrid pipeline, echo).
 * The call session never branches on the concrete class.
 *
 * Audio in and out is in the provider's own format (`inputFormat` / `outputFormat`); the media engine converts
 * from and to the wire codec. Caller audio arrives as a continuous stream (the media engine fills Asterisk's
 * silence gaps), already gated (during greeting protection the session sends silence instead of caller audio).
 */
export type AudioEncoding = 'pcmu' | 'pcma' | 'pcm16';
/** pcm16 is signed 16-bit little-endian mono (the OpenAI convention); pcmu/pcma are 8 kHz G.711. */
export interface AudioFormat {
  encoding: AudioEncoding;
  sampleRate: number;
}

export interface AgentAudio {
  /** Audio in `outputFormat`, any size (the pacer re-chunks). */
  audio: Buffer;
  responseId: string;
  /** The assistant item this audio belongs to (what `conversation.item.truncate` names). */
  itemId: string;
  /** When the provider's socket delivered it (monoMs): the playout-start delay counts from here when given. */
  receivedAt?: number;
}

export interface TranscriptEntry {
  role: 'user' | 'assistant';
  text: string;
  /** Epoch ms when the utterance started (user) or the reply started (assistant). */
  atMs: number;
  itemId?: string;
  /** True when the text was cut by a barge-in to what the caller heard. */
  truncated?: boolean;
}

export interface ToolCallRequest {
  /** Provider call id; the result must carry it back. */
  callId: string;
  name: string;
  /** Raw JSON text from the model; the registry parses and validates it. */
  argumentsJson: string;
  responseId?: string;
}

export interface ToolCallResult {
  callId: string;
  /** String given back to the model (JSON text). */
  output: string;
}

export interface ResponseDoneInfo {
  responseId: string;
  status: 'completed' | 'cancelled' | 'failed' | 'incomplete';
  /** True for the response that speaks the context greeting. */
  greeting: boolean;
  /** Assistant text of the response (transcript), if any. */
  text?: string;
  /** True when the response produced no audio (text only); a farewell must still end the call. */
  hadAudio: boolean;
}

export interface ProviderError {
  /** Stable code: the provider's (`insufficient_quota`, `invalid_api_key`, `session_expired`…) or ours (`connect_failed`, `handshake_401`, `socket_closed`). */
  code: string;
  message: string;
  /** Fatal: the provider cannot continue this call; the session runs the on_provider_failure policy. */
  fatal: boolean;
}

/** Per-turn latency breakdown (ms, epoch based). Absent stages are undefined. */
export interface TurnLatency {
  turn: number;
  speechEndAt?: number;
  transcriptAt?: number;
  firstTokenAt?: number;
  firstSentenceAt?: number;
  firstAudioAt?: number;
}

export type ProviderEvents = {
  /** Agent audio to play, tagged by response and item. */
  audio: [AgentAudio];
  /** All audio of the response has been delivered (playout may still be going on). */
  responseDone: [ResponseDoneInfo];
  /** The provider's voice detector (server or local) heard the caller start speaking: the session decides barge-in. */
  speechStarted: [{ atMs: number }];
  speechStopped: [{ atMs: number }];
  transcript: [TranscriptEntry];
  toolCall: [ToolCallRequest];
  latency: [TurnLatency];
  error: [ProviderError];
  /** The provider is gone for good (after its own reconnect attempts). */
  closed: [{ reason: string }];
};

export interface PlayedItem {
  itemId: string;
  responseId: string;
  /** What the caller actually heard of this item, in ms (from the pacer, not from what was received). */
  playedMs: number;
}

export interface ProviderStartOptions {
  callId: string;
  /** Rendered prompt (templates already applied). */
  instructions: string;
  /** Rendered greeting; empty = no greeting. Spoken exactly as written. */
  greeting: string;
  voice?: string;
  /** The tools this call may use (already filtered by the context allowlist). */
  tools: ToolDefinition[];
  logger: Logger;
}

export interface VoiceProvider extends TypedEmitter<ProviderEvents> {
  /** Config key (`openai_realtime`, `echo`, a pipeline key). */
  readonly name: string;
  readonly inputFormat: AudioFormat;
  readonly outputFormat: AudioFormat;
  /**
   * True when the provider must hear the caller exactly as received (the echo diagnostic): the session then applies
   * no greeting protection and no agent-speaking gate. Conversational providers leave it unset.
   */
  readonly rawCallerAudio?: boolean;
  /**
   * Connect and configure, then speak the greeting. Resolves once the provider is ready for audio.
   * Rejects (with a ProviderError-like `code`) when it cannot start at all.
   */
  start(options: ProviderStartOptions): Promise<void>;
  /** Caller audio in `inputFormat`; typically 20 ms per call. Never throws. */
  sendAudio(chunk: Buffer): void;
  /**
   * Barge-in: the session has already flushed local playout. `played` lists every item that had audio queued,
   * with what the caller heard. The provider cancels generation, drops late audio of those responses and makes
   * the conversation match what was heard (truncate / trim history).
   */
  interrupt(played: PlayedItem[]): void;
  /** Give a tool result back; the provider makes the model speak once all pending results of a response are in. */
  sendToolResult(result: ToolCallResult): void;
  /** Speak a fixed text now (farewell, failure apology). Resolves when its audio has been delivered (not played). */
  say(text: string): Promise<void>;
  /**
   * Tell the model something that happened outside the conversation (e.g. "the transfer to Sales was not
   * answered") as a system message, and let it respond to the caller. Realtime: `conversation.item.create` with a
   * system message then `response.create` (deferred while a response is active). Pipeline: append a system
   * message to the history and run the LLM turn. Fire and forget; never throws.
   */
  notify(text: string): void;
  /** Close for good; idempotent; never throws. */
  close(): Promise<void>;
}
