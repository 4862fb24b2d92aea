import type { TranscriptEntry } from '../VoiceProvider.js';

/**
 * Pure builders of the client events the provider sends (PROTOCOL §2.3), GA and beta where they differ.
 * `event_id` is added by the transport.
 */
export type ApiVersion = 'ga' | 'beta';
export type ClientEvent = { type: string } & Record<string, unknown>;

/** Why we asked for a response; echoed back by the server in `response.metadata` so we can recognise it. */
export type ResponsePurpose = 'greeting' | 'say' | 'tool_followup' | 'notify';

export const METADATA_PURPOSE = 'agent_purpose';
export const METADATA_REF = 'agent_ref';

/** The wording that makes the model speak a fixed text verbatim (greeting, farewell, apology). */
export function verbatimInstructions(text: string): string {
  return `Say exactly this, word for word, then stop: «${text}»`;
}

/**
 * A response that speaks `text` exactly. It stays in the default conversation (the model knows it greeted)
 * and may not call tools (a greeting that triggers a lookup would be absurd).
 */
export function verbatimResponse(apiVersion: ApiVersion, text: string, purpose: ResponsePurpose, ref: string): ClientEvent {
  const metadata = { [METADATA_PURPOSE]: purpose, [METADATA_REF]: ref };
  const instructions = verbatimInstructions(text);
  return apiVersion === 'ga'
    ? { type: 'response.create', response: { conversation: 'auto', output_modalities: ['audio'], instructions, tool_choice: 'none', metadata } }
    : { type: 'response.create', response: { modalities: ['audio', 'text'], instructions, tool_choice: 'none', metadata } };
}

/** A plain response (the model speaks tool results, or reacts to a system note), tagged with our ref. */
export function followupResponse(purpose: 'tool_followup' | 'notify', ref: string): ClientEvent {
  return { type: 'response.create', response: { metadata: { [METADATA_PURPOSE]: purpose, [METADATA_REF]: ref } } };
}

export function appendAudio(audio: Buffer): ClientEvent {
  return { type: 'input_audio_buffer.append', audio: audio.toString('base64') };
}

export function truncateItem(itemId: string, audioEndMs: number): ClientEvent {
  return { type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: audioEndMs };
}

export function deleteItem(itemId: string): ClientEvent {
  return { type: 'conversation.item.delete', item_id: itemId };
}

export function cancelResponse(responseId?: string): ClientEvent {
  return responseId ? { type: 'response.cancel', response_id: responseId } : { type: 'response.cancel' };
}

export function functionCallOutput(callId: string, output: string): ClientEvent {
  return { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output } };
}

/** A system note, e.g. a tool result whose call belonged to a session that no longer exists. */
export function systemMessage(text: string): ClientEvent {
  return { type: 'conversation.item.create', item: { type: 'message', role: 'system', content: [{ type: 'input_text', text }] } };
}

/**
 * Re-seeds a fresh session with the conversation so far (after a reconnect or a session renewal). Assistant
 * audio cannot be re-injected, so both sides go in as text: user `input_text`, assistant `output_text` (GA) or
 * `text` (beta). Oldest entries are dropped first when the history exceeds `maxChars`.
 */
export function seedItems(apiVersion: ApiVersion, transcript: readonly TranscriptEntry[], maxChars: number): ClientEvent[] {
  const kept: TranscriptEntry[] = [];
  let chars = 0;
  for (let i = transcript.length - 1; i >= 0; i--) {
    const entry = transcript[i]!;
    if (entry.text.trim() === '') continue;
    chars += entry.text.length;
    if (chars > maxChars) break;
    kept.unshift(entry);
  }
  const assistantType = apiVersion === 'ga' ? 'output_text' : 'text';
  return kept.map((entry) => ({
    type: 'conversation.item.create',
    item:
      entry.role === 'user'
        ? { type: 'message', role: 'user', content: [{ type: 'input_text', text: entry.text }] }
        : { type: 'message', role: 'assistant', content: [{ type: assistantType, text: entry.text }] },
  }));
}
