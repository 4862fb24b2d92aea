import type { z } from 'zod';
import type { ToolsConfig } from '../config/schema.js';
import {
  TOOL_ALIASES as CONFIG_TOOL_ALIASES,
  TOOL_NAMES,
  canonicalToolName as configCanonicalToolName,
  type ToolName,
} from '../config/toolNames.js';
import type { ToolCallRequest, ToolCallResult } from '../providers/VoiceProvider.js';
import type { CallControl } from './CallControl.js';
import type { ToolDefinition, ToolOutput } from './ToolDefinition.js';
import { createCancelTransferTool } from './builtin/cancelTransfer.js';
import { createHangupCallTool } from './builtin/hangupCall.js';
import { createLeaveVoicemailTool } from './builtin/leaveVoicemail.js';
import { createRequestTranscriptTool, type DomainCheck } from './builtin/requestTranscript.js';
import { createSendEmailSummaryTool } from './builtin/sendEmailSummary.js';
import { createTransferTool } from './builtin/transfer.js';

/**
 * Every built-in tool name, and the aliases a context allowlist may use. One source of truth shared with the
 * config loader (src/config/toolNames.ts), so what the loader accepts is exactly what the registry resolves.
 */
export const KNOWN_TOOL_NAMES = TOOL_NAMES;
export type KnownToolName = ToolName;
export const TOOL_ALIASES: Readonly<Record<string, KnownToolName>> = CONFIG_TOOL_ALIASES;

/** Thrown at start-up (construction, allowlist resolution); `code` is stable, the message says what to fix. */
export class ToolConfigError extends Error {
  constructor(
    readonly code: 'TOOL_UNKNOWN' | 'TOOL_DUPLICATE' | 'TOOL_INVALID',
    message: string,
  ) {
    super(message);
    this.name = 'ToolConfigError';
  }
}

/** Canonical name for an allowlist entry, or undefined when it names no known tool. */
export const canonicalToolName: (name: string) => KnownToolName | undefined = configCanonicalToolName;

/**
 * Check an allowlist without building tools (the config loader uses it to fail at start-up). Returns the canonical,
 * de-duplicated names; throws ToolConfigError naming every unknown entry.
 */
export function resolveToolAllowlist(allowlist: readonly string[]): KnownToolName[] {
  const unknown = allowlist.filter((n) => canonicalToolName(n) === undefined);
  if (unknown.length > 0) {
    throw new ToolConfigError(
      'TOOL_UNKNOWN',
      `unknown tool${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => JSON.stringify(n)).join(', ')}; ` +
        `known: ${KNOWN_TOOL_NAMES.join(', ')} (aliases: ${Object.keys(TOOL_ALIASES).join(', ')})`,
    );
  }
  return [...new Set(allowlist.map((n) => canonicalToolName(n) as KnownToolName))];
}

/** One executed tool call, as the call record stores it. Times are epoch ms. */
export interface ToolCallRecord {
  name: string;
  /** Parsed arguments (the raw text when it was not valid JSON). */
  args: unknown;
  ok: boolean;
  result: ToolOutput;
  startedAt: number;
  durationMs: number;
  error?: string;
}

export interface ToolRegistryOptions {
  /** Email delivery is configured: send_email_summary / request_transcript work. */
  emailEnabled: boolean;
  /** Domain check for request_transcript (default: DNS MX then A/AAAA). Injected by tests. */
  domainCheck?: DomainCheck;
}

type AnyTool = ToolDefinition<z.ZodType>;

export class ToolRegistry {
  private readonly tools = new Map<string, AnyTool>();

  /** Names must be unique; checked here, before any call is taken. */
  constructor(tools: readonly AnyTool[]) {
    for (const tool of tools) {
      if (this.tools.has(tool.name)) throw new ToolConfigError('TOOL_DUPLICATE', `tool name "${tool.name}" is defined twice`);
      if (!/^[a-zA-Z0-9_-]{1,64}$/.test(tool.name)) {
        throw new ToolConfigError('TOOL_INVALID', `tool name "${tool.name}" must be 1-64 of [a-zA-Z0-9_-] (both APIs require it)`);
      }
      if (!(tool.timeoutMs > 0)) throw new ToolConfigError('TOOL_INVALID', `tool "${tool.name}": timeoutMs must be > 0`);
      this.tools.set(tool.name, tool);
    }
  }

  /** The built-in tools, configured. A tool whose section has `enabled: false` is left out. */
  static fromConfig(config: ToolsConfig, options: ToolRegistryOptions): ToolRegistry {
    const tools: AnyTool[] = [];
    if (config.transfer.enabled) tools.push(createTransferTool(config.transfer) as AnyTool);
    if (config.cancel_transfer.enabled) tools.push(createCancelTransferTool() as AnyTool);
    if (config.hangup_call.enabled) tools.push(createHangupCallTool(config.hangup_call) as AnyTool);
    if (config.leave_voicemail.enabled) tools.push(createLeaveVoicemailTool(config.leave_voicemail) as AnyTool);
    if (config.send_email_summary.enabled) tools.push(createSendEmailSummaryTool({ emailEnabled: options.emailEnabled }) as AnyTool);
    if (config.request_transcript.enabled) {
      tools.push(
        createRequestTranscriptTool({
          ...config.request_transcript,
          emailEnabled: options.emailEnabled,
          ...(options.domainCheck ? { domainCheck: options.domainCheck } : {}),
        }) as AnyTool,
      );
    }
    return new ToolRegistry(tools);
  }

  get names(): string[] {
    return [...this.tools.keys()];
  }

  get(name: string): AnyTool | undefined {
    return this.tools.get(canonicalToolName(name) ?? name);
  }

  /**
   * The tools a context may use. Aliases resolve; an unknown name throws (start-up error); a known tool that is
   * disabled in config is left out (the context file need not change when an operator turns a tool off).
   */
  forContext(allowlist: readonly string[]): AnyTool[] {
    const out: AnyTool[] = [];
    for (const name of resolveToolAllowlist(allowlist)) {
      const tool = this.tools.get(name);
      if (tool) out.push(tool);
    }
    return out;
  }

  /**
   * Run one tool call. Never throws: bad JSON, invalid arguments, unknown or not-allowed tools, timeouts and
   * exceptions all become `{ ok: false, error }` results the model can read and recover from.
   */
  async execute(
    request: ToolCallRequest,
    call: CallControl,
    allowed: readonly AnyTool[],
  ): Promise<{ result: ToolCallResult; record: ToolCallRecord }> {
    const startedAt = Date.now();
    let args: unknown = request.argumentsJson;
    const finish = (output: ToolOutput, error?: string) => {
      const record: ToolCallRecord = { name: request.name, args, ok: output.ok, result: output, startedAt, durationMs: Date.now() - startedAt };
      if (error !== undefined) record.error = error;
      return { result: { callId: request.callId, output: safeStringify(output) }, record };
    };
    const fail = (error: string, extra: Record<string, unknown> = {}) => finish({ ok: false, error, ...extra }, error);

    const name = canonicalToolName(request.name) ?? request.name;
    const tool = allowed.find((t) => t.name === name);
    if (!tool) {
      return fail(`unknown tool "${request.name}"`, { available_tools: allowed.map((t) => t.name) });
    }

    const text = request.argumentsJson.trim() === '' ? '{}' : request.argumentsJson;
    try {
      args = JSON.parse(text);
    } catch {
      return fail('arguments are not valid JSON; send a JSON object matching the tool parameters');
    }
    const parsed = tool.parameters.safeParse(args);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ field: i.path.length ? i.path.join('.') : '(arguments)', message: i.message }));
      const summary = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
      return fail(`invalid arguments: ${summary}`, { issues });
    }
    args = parsed.data;

    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), tool.timeoutMs);
      });
      const output = await Promise.race([tool.execute(parsed.data, call), timeout]);
      if (output === 'timeout') return fail(`tool "${tool.name}" timed out after ${tool.timeoutMs} ms`);
      if (!isToolOutput(output)) return fail(`tool "${tool.name}" returned an invalid result`);
      return finish(output, output.ok ? undefined : output.error);
    } catch (err) {
      call.logger.warn({ err, tool: tool.name }, 'tool threw');
      return fail(`tool "${tool.name}" failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      if (timer) clearTimeout(timer);
    }
  }
}

function isToolOutput(value: unknown): value is ToolOutput {
  if (value === null || typeof value !== 'object') return false;
  const ok = (value as { ok?: unknown }).ok;
  return ok === true || (ok === false && typeof (value as { error?: unknown }).error === 'string');
}

function safeStringify(output: ToolOutput): string {
  try {
    return JSON.stringify(output);
  } catch {
    return JSON.stringify({ ok: output.ok, error: output.ok ? undefined : output.error });
  }
}
