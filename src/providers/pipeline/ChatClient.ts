import type OpenAI from 'openai';
import { APIConnectionTimeoutError } from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { PipelineConfig } from '../../config/schema.js';
import type { ChatToolSchema } from '../../tools/toolSchemas.js';
import { createStageClient } from './stageClient.js';
import { StreamDeadline } from './StreamDeadline.js';
import { ToolCallAccumulator, type AccumulatedToolCall } from './ToolCallAccumulator.js';

/**
 * LLM stage: Chat Completions, streamed (PROTOCOL §8). Text deltas go to `onText` as they arrive (the sentence
 * splitter starts speech from them); tool-call fragments are accumulated by index and returned whatever
 * `finish_reason` says (gpt-4o and local servers stream tool calls with "stop"). A mid-stream
 * `data: {"error":…}` makes the SDK throw an APIError, which is what callers see.
 */

export interface ChatTurnResult {
  text: string;
  toolCalls: AccumulatedToolCall[];
  finishReason: string | null;
  usage?: { promptTokens: number; completionTokens: number };
}

export interface ChatStreamHandlers {
  /** A content delta (non-empty). */
  onText?: (delta: string) => void;
}

/** The token limit key: OpenAI's reasoning-era models reject `max_tokens`; many local servers know only it. */
function tokenLimit(baseUrl: string, max: number): { max_completion_tokens: number } | { max_tokens: number } {
  let host = '';
  try {
    host = new URL(baseUrl).hostname;
  } catch {
    // schema validated it; keep the compatible default
  }
  return host === 'api.openai.com' || host.endsWith('.openai.azure.com') ? { max_completion_tokens: max } : { max_tokens: max };
}

export class ChatClient {
  readonly #client: OpenAI;
  readonly #cfg: PipelineConfig['llm'];

  constructor(cfg: PipelineConfig['llm'], fetchImpl?: typeof fetch) {
    this.#cfg = cfg;
    this.#client = createStageClient(cfg, fetchImpl);
  }

  async stream(
    messages: ChatCompletionMessageParam[],
    tools: ChatToolSchema[],
    handlers: ChatStreamHandlers = {},
    signal?: AbortSignal,
  ): Promise<ChatTurnResult> {
    // The SDK's timeout covers the wait for headers (with its retries); the deadline covers a stalled stream.
    const deadline = new StreamDeadline(this.#cfg.timeout_ms, signal);
    try {
      return await this.#stream(messages, tools, handlers, deadline);
    } catch (err) {
      if (deadline.timedOut) throw new APIConnectionTimeoutError({ message: 'llm: stream stalled' });
      throw err;
    } finally {
      deadline.dispose();
    }
  }

  async #stream(
    messages: ChatCompletionMessageParam[],
    tools: ChatToolSchema[],
    handlers: ChatStreamHandlers,
    deadline: StreamDeadline,
  ): Promise<ChatTurnResult> {
    const stream = await this.#client.chat.completions.create(
      {
        model: this.#cfg.model,
        messages,
        stream: true,
        stream_options: { include_usage: true },
        ...(tools.length > 0 ? { tools, tool_choice: 'auto' as const } : {}),
        ...(this.#cfg.temperature !== undefined ? { temperature: this.#cfg.temperature } : {}),
        ...tokenLimit(this.#cfg.base_url, this.#cfg.max_tokens),
      },
      { signal: deadline.signal },
    );
    deadline.touch();
    const acc = new ToolCallAccumulator();
    let text = '';
    let finishReason: string | null = null;
    let usage: ChatTurnResult['usage'];
    for await (const chunk of stream) {
      deadline.touch();
      if (chunk.usage) usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
      const choice = chunk.choices?.[0];
      if (choice === undefined) continue;
      const delta = choice.delta;
      if (delta?.content) {
        text += delta.content;
        handlers.onText?.(delta.content);
      }
      acc.push(delta?.tool_calls);
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
    return { text, toolCalls: acc.calls(), finishReason, ...(usage !== undefined ? { usage } : {}) };
  }

  /** Non-streamed completion (call summaries): the assistant text. */
  async complete(messages: ChatCompletionMessageParam[], signal?: AbortSignal): Promise<string> {
    const res = await this.#client.chat.completions.create(
      {
        model: this.#cfg.model,
        messages,
        ...(this.#cfg.temperature !== undefined ? { temperature: this.#cfg.temperature } : {}),
        ...tokenLimit(this.#cfg.base_url, this.#cfg.max_tokens),
      },
      signal !== undefined ? { signal } : undefined,
    );
    return res.choices[0]?.message.content ?? '';
  }
}
