import { mergeTranscriptEntry } from '../providers/mergeTranscriptEntry.js';
import { z } from 'zod';
import type { CallRecord, CallRecordEvent } from './CallRecord.js';

const atMs = z.number().finite();
const eventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('start'),
    atMs,
    callId: z.string(),
    ids: z.record(z.string(), z.string()).optional(),
    caller: z.object({ number: z.string(), name: z.string() }),
    context: z.string(),
    provider: z.string(),
    profile: z.string(),
    direction: z.enum(['inbound', 'outbound']).optional(),
  }),
  z.object({ type: z.literal('answer'), atMs }),
  z.object({ type: z.literal('transcript'), atMs, role: z.enum(['user', 'assistant']), text: z.string(), itemId: z.string().optional(), truncated: z.boolean().optional() }),
  z.object({ type: z.literal('tool_call'), atMs, name: z.string(), args: z.unknown(), ok: z.boolean(), result: z.unknown(), durationMs: z.number(), error: z.string().optional() }),
  z.object({ type: z.literal('barge_in'), atMs, playedMs: z.number(), itemId: z.string().optional() }),
  z.object({
    type: z.literal('latency'),
    atMs,
    turn: z.number(),
    speechEndAt: z.number().optional(),
    transcriptAt: z.number().optional(),
    firstTokenAt: z.number().optional(),
    firstSentenceAt: z.number().optional(),
    firstAudioAt: z.number().optional(),
  }),
  z.object({ type: z.literal('transfer'), atMs, mode: z.enum(['blind', 'bridged']), target: z.string(), result: z.string() }),
  z.object({ type: z.literal('error'), atMs, code: z.string(), message: z.string(), fatal: z.boolean().optional() }),
  z.object({ type: z.literal('email'), atMs, kind: z.enum(['summary', 'transcript']), to: z.array(z.string()) }),
  z.object({
    type: z.literal('end'),
    atMs,
    outcome: z.enum(['completed', 'transferred', 'voicemail', 'abandoned', 'failed']),
    reason: z.string(),
    durationMs: z.number(),
  }),
]);

/** One JSONL line → event, or undefined (bad JSON, unknown type, missing fields). Pure. */
export function parseCallRecordLine(line: string): CallRecordEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = eventSchema.safeParse(value);
  return parsed.success ? (parsed.data as CallRecordEvent) : undefined;
}

/**
 * Events → CallRecord. Pure. A record without `end` is `incomplete`: outcome `abandoned` when the call was never
 * answered (the caller never reached the agent), else `failed` (we lost it mid-call); its duration runs to the last
 * event written.
 */
export function foldCallRecord(events: readonly CallRecordEvent[], file = '', badLines = 0): CallRecord {
  const record: CallRecord = {
    callId: '',
    file,
    ids: {},
    caller: { number: '', name: '' },
    context: '',
    provider: '',
    profile: '',
    startedAtMs: events[0]?.atMs ?? 0,
    durationMs: 0,
    outcome: 'failed',
    incomplete: true,
    transcript: [],
    toolCalls: [],
    bargeIns: [],
    latency: [],
    transfers: [],
    errors: [],
    emails: [],
    badLines,
  };
  let lastAtMs = record.startedAtMs;
  for (const e of events) {
    lastAtMs = Math.max(lastAtMs, e.atMs);
    switch (e.type) {
      case 'start':
        record.callId = e.callId;
        record.ids = { ...(e.ids ?? {}) };
        record.caller = e.caller;
        record.context = e.context;
        record.provider = e.provider;
        record.profile = e.profile;
        if (e.direction) record.direction = e.direction;
        record.startedAtMs = e.atMs;
        break;
      case 'answer':
        record.answeredAtMs = e.atMs;
        break;
      case 'transcript':
        mergeTranscriptEntry(record.transcript, e);
        break;
      case 'tool_call':
        record.toolCalls.push(e);
        break;
      case 'barge_in':
        record.bargeIns.push(e);
        break;
      case 'latency':
        record.latency.push(e);
        break;
      case 'transfer':
        record.transfers.push(e);
        break;
      case 'error':
        record.errors.push(e);
        break;
      case 'email':
        record.emails.push(e);
        break;
      case 'end':
        record.endedAtMs = e.atMs;
        record.outcome = e.outcome;
        record.reason = e.reason;
        record.durationMs = e.durationMs;
        record.incomplete = false;
        break;
    }
  }
  if (record.incomplete) {
    record.outcome = record.answeredAtMs === undefined ? 'abandoned' : 'failed';
    record.durationMs = Math.max(0, lastAtMs - record.startedAtMs);
  }
  return record;
}
