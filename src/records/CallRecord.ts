import type { TurnLatency } from '../providers/VoiceProvider.js';
import type { CallOutcome } from '../tools/CallControl.js';

/**
 * One line of a call record file (JSON Lines). Every event carries `atMs` (epoch ms). Lines are appended as the
 * call goes, so a crash keeps everything up to the last completed line.
 */
export type CallRecordEvent =
  | {
      type: 'start';
      atMs: number;
      callId: string;
      /** Other ids worth finding the call by (channel, bridge, linkedid, provider session…). */
      ids?: Record<string, string>;
      caller: { number: string; name: string };
      context: string;
      provider: string;
      profile: string;
      direction?: 'inbound' | 'outbound';
    }
  | { type: 'answer'; atMs: number }
  | { type: 'transcript'; atMs: number; role: 'user' | 'assistant'; text: string; itemId?: string; truncated?: boolean }
  | { type: 'tool_call'; atMs: number; name: string; args: unknown; ok: boolean; result: unknown; durationMs: number; error?: string }
  | { type: 'barge_in'; atMs: number; playedMs: number; itemId?: string }
  | ({ type: 'latency'; atMs: number } & TurnLatency)
  | { type: 'transfer'; atMs: number; mode: 'blind' | 'bridged'; target: string; result: string }
  | { type: 'error'; atMs: number; code: string; message: string; fatal?: boolean }
  | { type: 'email'; atMs: number; kind: 'summary' | 'transcript'; to: string[] }
  | { type: 'end'; atMs: number; outcome: CallOutcome; reason: string; durationMs: number };

export type CallRecordEventType = CallRecordEvent['type'];
/** An event as the session hands it over: `atMs` defaults to now. */
export type CallRecordEventInput = CallRecordEvent extends infer E ? (E extends { atMs: number } ? Omit<E, 'atMs'> & { atMs?: number } : never) : never;

export type ToolCallEntry = Extract<CallRecordEvent, { type: 'tool_call' }>;
export type TranscriptTurn = Extract<CallRecordEvent, { type: 'transcript' }>;

/** A call record folded from its lines: what the CLI prints and the emails describe. */
export interface CallRecord {
  callId: string;
  /** File it was read from ('' for an in-memory snapshot of a call that has no file). */
  file: string;
  ids: Record<string, string>;
  caller: { number: string; name: string };
  context: string;
  provider: string;
  profile: string;
  direction?: 'inbound' | 'outbound';
  startedAtMs: number;
  answeredAtMs?: number;
  endedAtMs?: number;
  durationMs: number;
  outcome: CallOutcome;
  reason?: string;
  /** No `end` line: the process died (or is still running the call). */
  incomplete: boolean;
  transcript: TranscriptTurn[];
  toolCalls: ToolCallEntry[];
  bargeIns: Extract<CallRecordEvent, { type: 'barge_in' }>[];
  latency: Extract<CallRecordEvent, { type: 'latency' }>[];
  transfers: Extract<CallRecordEvent, { type: 'transfer' }>[];
  errors: Extract<CallRecordEvent, { type: 'error' }>[];
  emails: Extract<CallRecordEvent, { type: 'email' }>[];
  /** Lines that were not valid events (a torn last line after a crash, hand edits): skipped, counted. */
  badLines: number;
}
