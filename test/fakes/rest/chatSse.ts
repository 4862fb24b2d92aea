/**
 * Chat Completions replies as the fake sends them: the SSE chunk sequence of PROTOCOL §8 (role chunk, content
 * deltas, tool-call fragments keyed by index with id/type/name only in the first fragment, the finish chunk, a
 * usage chunk with empty choices when include_usage, then `[DONE]`), and the non-streamed completion.
 */
export interface ScriptedToolCall {
  /** Omit (or '') to test the `call_<index>` fallback. */
  id?: string;
  name: string;
  arguments: string;
}

export interface ChatScript {
  text?: string;
  /** Characters per content delta (real models send a token or two). */
  textChunkChars?: number;
  toolCalls?: ScriptedToolCall[];
  /** Characters per arguments fragment; 0 = the whole arguments in the first fragment (Ollama style). */
  argsChunkChars?: number;
  /** Default: "tool_calls" when tool calls are scripted, else "stop". */
  finishReason?: 'stop' | 'tool_calls' | 'length' | 'content_filter';
  /** Pause between chunks, ms. */
  chunkDelayMs?: number;
  /** After this many chunks, pause `holdMs` (the client may abort meanwhile). */
  holdAfterChunks?: number;
  holdMs?: number;
  /** After this many chunks, send `data: {"error":…}` and end the stream. */
  errorAfterChunks?: number;
}

export const FAKE_MODEL_SNAPSHOT = 'gpt-4o-mini-2024-07-18';

function split(s: string, n: number): string[] {
  if (n <= 0 || s.length === 0) return [s];
  const out: string[] = [];
  for (let i = 0; i < s.length; i += n) out.push(s.slice(i, i + n));
  return out;
}

/** The `data:` payloads (JSON text, then "[DONE]") for one streamed reply. */
export function chatStreamPayloads(script: ChatScript, opts: { id: string; includeUsage: boolean; created: number }): string[] {
  const base = { id: opts.id, object: 'chat.completion.chunk', created: opts.created, model: FAKE_MODEL_SNAPSHOT, system_fingerprint: 'fp_fake' };
  const usageField = opts.includeUsage ? { usage: null } : {};
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
    JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...usageField });
  const out: string[] = [];
  const text = script.text ?? '';
  const calls = script.toolCalls ?? [];
  out.push(chunk({ role: 'assistant', content: text !== '' || calls.length === 0 ? '' : null, refusal: null }));
  for (const piece of text === '' ? [] : split(text, script.textChunkChars ?? 6)) out.push(chunk({ content: piece }));
  calls.forEach((c, index) => {
    const frags = split(c.arguments, script.argsChunkChars ?? 7);
    const whole = (script.argsChunkChars ?? 7) === 0;
    out.push(
      chunk({ tool_calls: [{ index, id: c.id ?? `call_fake${index}`, type: 'function', function: { name: c.name, arguments: whole ? c.arguments : '' } }] }),
    );
    if (!whole) for (const f of frags) out.push(chunk({ tool_calls: [{ index, function: { arguments: f } }] }));
  });
  out.push(chunk({}, script.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop')));
  if (opts.includeUsage) {
    const completion = Math.ceil((text.length + calls.reduce((a, c) => a + c.arguments.length, 0)) / 4);
    out.push(JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 80, completion_tokens: completion, total_tokens: 80 + completion } }));
  }
  out.push('[DONE]');
  return out;
}

/** A non-streamed `chat.completion` for the same script. */
export function chatCompletionBody(script: ChatScript, opts: { id: string; created: number }): Record<string, unknown> {
  const calls = script.toolCalls ?? [];
  const text = script.text ?? '';
  return {
    id: opts.id,
    object: 'chat.completion',
    created: opts.created,
    model: FAKE_MODEL_SNAPSHOT,
    system_fingerprint: 'fp_fake',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text === '' && calls.length > 0 ? null : text,
          refusal: null,
          ...(calls.length > 0
            ? { tool_calls: calls.map((c, i) => ({ id: c.id ?? `call_fake${i}`, type: 'function', function: { name: c.name, arguments: c.arguments } })) }
            : {}),
        },
        logprobs: null,
        finish_reason: script.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop'),
      },
    ],
    usage: { prompt_tokens: 80, completion_tokens: 10, total_tokens: 90 },
  };
}
