import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';

/**
 * The conversation the pipeline's LLM sees, as Chat Completions messages. Pure: no I/O, no clock.
 *
 * - The system prompt is always first and never trimmed.
 * - Past turns are kept within `maxChars` (text + tool arguments + tool results), oldest dropped first; the
 *   newest entry is always kept even when it alone is over budget.
 * - An assistant message with tool calls and the tool results answering it are one unit: trimmed together, and
 *   rendered together (a call whose result has not arrived is rendered with a placeholder result, because the
 *   API rejects an assistant `tool_calls` message that is not followed by a result for every call id).
 * - An assistant message can be cut afterwards (`setAssistantText`) to what the caller actually heard; cut to
 *   nothing, it disappears (unless it carries tool calls, which stay).
 */

export interface HistoryToolCall {
  id: string;
  name: string;
  arguments: string;
}

interface UserEntry {
  id: number;
  role: 'user';
  text: string;
}

interface AssistantEntry {
  id: number;
  role: 'assistant';
  text: string;
  toolCalls: HistoryToolCall[];
  results: Map<string, string>;
}

/** A note from outside the conversation (`notify`: "the transfer was not answered"). */
interface SystemEntry {
  id: number;
  role: 'system';
  text: string;
}

type Entry = UserEntry | AssistantEntry | SystemEntry;

/** What the model is told for a tool call whose result never came (interrupted, failed session side). */
export const MISSING_TOOL_RESULT = JSON.stringify({ ok: false, error: 'no result: the call was interrupted' });

export class ConversationHistory {
  readonly #systemPrompt: string;
  readonly #maxChars: number;
  #entries: Entry[] = [];
  #nextId = 1;

  constructor(opts: { systemPrompt: string; maxChars: number }) {
    this.#systemPrompt = opts.systemPrompt;
    this.#maxChars = opts.maxChars;
  }

  addUser(text: string): number {
    return this.#add({ id: this.#nextId++, role: 'user', text });
  }

  /** A system note mid-conversation (trimmed like any turn; the prompt itself is never trimmed). */
  addSystem(text: string): number {
    return this.#add({ id: this.#nextId++, role: 'system', text });
  }

  /** Adds an assistant message (text and/or tool calls); returns its id for later cuts. */
  addAssistant(text: string, toolCalls: HistoryToolCall[] = []): number {
    return this.#add({ id: this.#nextId++, role: 'assistant', text, toolCalls, results: new Map() });
  }

  /** Replaces an assistant message's text (barge-in: what was heard). Empty text without tool calls removes it. */
  setAssistantText(id: number, text: string): void {
    const i = this.#entries.findIndex((e) => e.id === id);
    const entry = this.#entries[i];
    if (entry === undefined || entry.role !== 'assistant') return;
    if (text.trim() === '' && entry.toolCalls.length === 0) this.#entries.splice(i, 1);
    else entry.text = text;
  }

  /** Records a tool result; false when no kept assistant message has that call id. */
  setToolResult(callId: string, output: string): boolean {
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const e = this.#entries[i]!;
      if (e.role === 'assistant' && e.toolCalls.some((c) => c.id === callId)) {
        e.results.set(callId, output);
        this.#trim();
        return true;
      }
    }
    return false;
  }

  /** System prompt + kept turns, in the Chat Completions shape. */
  messages(): ChatCompletionMessageParam[] {
    const out: ChatCompletionMessageParam[] = [{ role: 'system', content: this.#systemPrompt }];
    for (const e of this.#entries) {
      if (e.role !== 'assistant') {
        out.push({ role: e.role, content: e.text });
        continue;
      }
      if (e.toolCalls.length === 0) {
        out.push({ role: 'assistant', content: e.text });
        continue;
      }
      out.push({
        role: 'assistant',
        content: e.text === '' ? null : e.text,
        tool_calls: e.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
      });
      for (const c of e.toolCalls) {
        out.push({ role: 'tool', tool_call_id: c.id, content: e.results.get(c.id) ?? MISSING_TOOL_RESULT });
      }
    }
    return out;
  }

  /** Characters of the kept turns (the budget's measure). */
  get chars(): number {
    return this.#entries.reduce((a, e) => a + entryChars(e), 0);
  }

  get size(): number {
    return this.#entries.length;
  }

  #add(entry: Entry): number {
    this.#entries.push(entry);
    this.#trim();
    return entry.id;
  }

  #trim(): void {
    let total = this.chars;
    while (this.#entries.length > 1 && total > this.#maxChars) {
      total -= entryChars(this.#entries.shift()!);
    }
  }
}

function entryChars(e: Entry): number {
  if (e.role !== 'assistant') return e.text.length;
  let n = e.text.length;
  for (const c of e.toolCalls) n += c.name.length + c.arguments.length + (e.results.get(c.id)?.length ?? 0);
  return n;
}
