import { z } from 'zod';

/**
 * Server events, validated with zod `safeParse` at the edge (PROTOCOL §2.4). Beta names are mapped to GA names
 * first, so the rest of the provider speaks GA only. Nothing here throws: malformed JSON, an unknown `type` or a
 * known type with a bad shape becomes `{ kind: 'dropped' }`, which the caller counts and drops.
 */

const metadata = z.record(z.string(), z.unknown()).nullish();
const errorBody = z.looseObject({
  type: z.string().nullish(),
  code: z.string().nullish(),
  message: z.string().nullish(),
  param: z.string().nullish(),
  event_id: z.string().nullish(),
});

const outputItem = z.looseObject({
  id: z.string(),
  type: z.string(),
  status: z.string().nullish(),
  role: z.string().nullish(),
  call_id: z.string().nullish(),
  name: z.string().nullish(),
  arguments: z.string().nullish(),
  content: z.array(z.looseObject({ type: z.string(), transcript: z.string().nullish(), text: z.string().nullish() })).nullish(),
});

const responseBody = z.looseObject({
  id: z.string(),
  status: z.enum(['in_progress', 'completed', 'cancelled', 'failed', 'incomplete']),
  status_details: z
    .looseObject({ type: z.string().nullish(), reason: z.string().nullish(), error: errorBody.nullish() })
    .nullish(),
  output: z.array(outputItem).nullish(),
  metadata,
});

const event = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) => z.looseObject({ type: z.literal(type), ...shape });

export const serverEventSchema = z.discriminatedUnion('type', [
  event('session.created', { session: z.looseObject({ id: z.string().nullish(), expires_at: z.number().nullish() }) }),
  event('session.updated', { session: z.looseObject({}) }),
  event('error', { error: errorBody }),
  event('input_audio_buffer.speech_started', { audio_start_ms: z.number(), item_id: z.string().nullish() }),
  event('input_audio_buffer.speech_stopped', { audio_end_ms: z.number(), item_id: z.string().nullish() }),
  event('input_audio_buffer.committed', { item_id: z.string() }),
  event('conversation.item.input_audio_transcription.completed', { item_id: z.string(), transcript: z.string() }),
  event('conversation.item.input_audio_transcription.failed', { item_id: z.string(), error: errorBody.nullish() }),
  event('response.created', { response: responseBody }),
  event('response.output_audio.delta', { response_id: z.string(), item_id: z.string(), delta: z.string() }),
  event('response.output_audio_transcript.done', { response_id: z.string(), item_id: z.string(), transcript: z.string() }),
  event('response.output_text.done', { response_id: z.string(), item_id: z.string(), text: z.string() }),
  event('response.output_item.done', { response_id: z.string(), item: outputItem }),
  event('response.done', { response: responseBody }),
  event('conversation.item.truncated', { item_id: z.string(), audio_end_ms: z.number() }),
  event('conversation.item.deleted', { item_id: z.string() }),
]);

export type ServerEvent = z.infer<typeof serverEventSchema>;
export type ServerEventOf<T extends ServerEvent['type']> = Extract<ServerEvent, { type: T }>;
export type ResponseBody = z.infer<typeof responseBody>;

/** Beta event names and their GA equivalents (PROTOCOL §2.2). */
const BETA_TO_GA: Record<string, string> = {
  'response.audio.delta': 'response.output_audio.delta',
  'response.audio.done': 'response.output_audio.done',
  'response.audio_transcript.delta': 'response.output_audio_transcript.delta',
  'response.audio_transcript.done': 'response.output_audio_transcript.done',
  'response.text.delta': 'response.output_text.delta',
  'response.text.done': 'response.output_text.done',
  'conversation.item.created': 'conversation.item.added',
};

/** Events we know and deliberately ignore: they are not counted as dropped. */
const IGNORED = new Set([
  'conversation.created',
  'conversation.item.added',
  'conversation.item.done',
  'conversation.item.retrieved',
  'input_audio_buffer.cleared',
  'input_audio_buffer.timeout_triggered',
  'conversation.item.input_audio_transcription.delta',
  'conversation.item.input_audio_transcription.segment',
  'response.output_item.added',
  'response.content_part.added',
  'response.content_part.done',
  'response.output_audio.done',
  'response.output_audio_transcript.delta',
  'response.output_text.delta',
  'response.function_call_arguments.delta',
  'response.function_call_arguments.done',
  'rate_limits.updated',
  'output_audio_buffer.started',
  'output_audio_buffer.stopped',
  'output_audio_buffer.cleared',
]);

export type ParsedServerEvent =
  | { kind: 'event'; event: ServerEvent }
  | { kind: 'ignored'; type: string }
  | { kind: 'dropped'; type: string; reason: 'malformed_json' | 'unknown_type' | 'bad_shape' };

export function parseServerEvent(text: string): ParsedServerEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { kind: 'dropped', type: '(unparseable)', reason: 'malformed_json' };
  }
  if (raw === null || typeof raw !== 'object' || typeof (raw as { type?: unknown }).type !== 'string') {
    return { kind: 'dropped', type: '(no type)', reason: 'bad_shape' };
  }
  const obj = raw as { type: string };
  const gaType = BETA_TO_GA[obj.type] ?? obj.type;
  if (IGNORED.has(gaType)) return { kind: 'ignored', type: gaType };
  const parsed = serverEventSchema.safeParse(gaType === obj.type ? obj : { ...obj, type: gaType });
  if (parsed.success) return { kind: 'event', event: parsed.data };
  const known = serverEventSchema.options.some((o) => o.shape.type.value === gaType);
  return { kind: 'dropped', type: gaType, reason: known ? 'bad_shape' : 'unknown_type' };
}
