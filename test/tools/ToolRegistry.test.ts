import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  KNOWN_TOOL_NAMES,
  TOOL_ALIASES,
  ToolConfigError,
  ToolRegistry,
  resolveToolAllowlist,
} from '../../src/tools/ToolRegistry.js';
import type { ToolDefinition } from '../../src/tools/ToolDefinition.js';
import { RecordingCallControl } from './RecordingCallControl.js';
import { makeToolsConfig } from './toolsConfig.js';

function tool(name: string, execute: ToolDefinition['execute'], timeoutMs = 1_000): ToolDefinition {
  return { name, description: `${name} tool`, parameters: z.object({ n: z.number().int().min(1) }), timeoutMs, execute };
}

const request = (name: string, argumentsJson: string) => ({ callId: 'fc_1', name, argumentsJson });

describe('ToolRegistry construction', () => {
  it('rejects two tools with the same name', () => {
    const ok = async () => ({ ok: true as const });
    expect(() => new ToolRegistry([tool('a', ok), tool('a', ok)])).toThrow(ToolConfigError);
    expect(() => new ToolRegistry([tool('a', ok), tool('a', ok)])).toThrow(/defined twice/);
  });

  it('rejects a name neither API accepts', () => {
    expect(() => new ToolRegistry([tool('bad name!', async () => ({ ok: true }))])).toThrow(/must be 1-64/);
  });

  it('builds every built-in tool from config, and leaves out disabled ones', () => {
    const all = ToolRegistry.fromConfig(makeToolsConfig(), { emailEnabled: true });
    expect(all.names.sort()).toEqual([...KNOWN_TOOL_NAMES].sort());
    const some = ToolRegistry.fromConfig(makeToolsConfig({ cancel_transfer: { enabled: false } }), { emailEnabled: true });
    expect(some.names).not.toContain('cancel_transfer');
    expect(some.forContext(['cancel_transfer', 'transfer']).map((t) => t.name)).toEqual(['transfer']);
  });
});

describe('ToolRegistry.forContext', () => {
  const registry = ToolRegistry.fromConfig(makeToolsConfig(), { emailEnabled: true });

  it('resolves aliases to the canonical tools, once each', () => {
    expect(TOOL_ALIASES).toMatchObject({ transfer_call: 'transfer', end_call: 'hangup_call' });
    const names = registry.forContext(['transfer_call', 'end_call', 'transfer']).map((t) => t.name);
    expect(names).toEqual(['transfer', 'hangup_call']);
  });

  it('resolves every alias the config loader accepts', () => {
    for (const [alias, name] of Object.entries(TOOL_ALIASES)) {
      expect(registry.forContext([alias]).map((t) => t.name)).toEqual([name]);
    }
  });

  it('throws a start-up error naming every unknown tool', () => {
    expect(() => registry.forContext(['transfer', 'dial_number', 'exec'])).toThrow(/unknown tools "dial_number", "exec"/);
    try {
      resolveToolAllowlist(['nope']);
    } catch (err) {
      expect((err as ToolConfigError).code).toBe('TOOL_UNKNOWN');
    }
  });

  it('gives an empty list for an empty allowlist', () => {
    expect(registry.forContext([])).toEqual([]);
  });
});

describe('ToolRegistry.execute', () => {
  const echo = tool('echo', async (args) => ({ ok: true, got: args }));
  const registry = new ToolRegistry([echo]);
  const call = new RecordingCallControl();

  it('runs a valid call and records it', async () => {
    const before = Date.now();
    const { result, record } = await registry.execute(request('echo', '{"n":2}'), call, [echo]);
    expect(result.callId).toBe('fc_1');
    expect(JSON.parse(result.output)).toEqual({ ok: true, got: { n: 2 } });
    expect(record).toMatchObject({ name: 'echo', args: { n: 2 }, ok: true, result: { ok: true, got: { n: 2 } } });
    expect(record.startedAt).toBeGreaterThanOrEqual(before);
    expect(record.durationMs).toBeGreaterThanOrEqual(0);
    expect(record.error).toBeUndefined();
  });

  it('turns bad JSON into an error result', async () => {
    const { result, record } = await registry.execute(request('echo', '{"n":'), call, [echo]);
    expect(JSON.parse(result.output)).toMatchObject({ ok: false, error: expect.stringMatching(/not valid JSON/) });
    expect(record).toMatchObject({ ok: false, args: '{"n":' });
  });

  it('names the bad field so the model can retry', async () => {
    const { result } = await registry.execute(request('echo', '{"n":0}'), call, [echo]);
    const out = JSON.parse(result.output);
    expect(out.ok).toBe(false);
    expect(out.error).toMatch(/^invalid arguments: n: /);
    expect(out.issues[0].field).toBe('n');
  });

  it('treats empty arguments as {} (some models send "")', async () => {
    const noArgs = { ...tool('noargs', async () => ({ ok: true })), parameters: z.object({}) };
    const { result } = await new ToolRegistry([noArgs]).execute(request('noargs', ''), call, [noArgs]);
    expect(JSON.parse(result.output)).toEqual({ ok: true });
  });

  it('refuses an unknown tool and lists the available ones', async () => {
    const { result } = await registry.execute(request('dial', '{}'), call, [echo]);
    expect(JSON.parse(result.output)).toEqual({ ok: false, error: 'unknown tool "dial"', available_tools: ['echo'] });
  });

  it('refuses a registered tool that the context does not allow', async () => {
    const { result } = await registry.execute(request('echo', '{"n":1}'), call, []);
    expect(JSON.parse(result.output)).toMatchObject({ ok: false, available_tools: [] });
  });

  it('accepts an alias in the call itself', async () => {
    const builtins = ToolRegistry.fromConfig(makeToolsConfig(), { emailEnabled: true });
    const allowed = builtins.forContext(['end_call']);
    const c = new RecordingCallControl();
    const { result } = await builtins.execute(request('end_call', '{}'), c, allowed);
    expect(JSON.parse(result.output)).toMatchObject({ ok: true });
    expect(c.methods()).toEqual(['hangupAfterFarewell']);
  });

  it('turns a timeout into an error result', async () => {
    const slow = tool('slow', () => new Promise(() => {}), 30);
    const { result, record } = await new ToolRegistry([slow]).execute(request('slow', '{"n":1}'), call, [slow]);
    expect(JSON.parse(result.output)).toMatchObject({ ok: false, error: 'tool "slow" timed out after 30 ms' });
    expect(record.error).toMatch(/timed out/);
  });

  it('turns an exception (async or sync) into an error result', async () => {
    const boom = tool('boom', async () => {
      throw new Error('ARI said 500');
    });
    const syncBoom = tool('sync_boom', () => {
      throw new Error('sync');
    });
    const reg = new ToolRegistry([boom, syncBoom]);
    const a = await reg.execute(request('boom', '{"n":1}'), call, [boom, syncBoom]);
    const b = await reg.execute(request('sync_boom', '{"n":1}'), call, [boom, syncBoom]);
    expect(JSON.parse(a.result.output)).toEqual({ ok: false, error: 'tool "boom" failed: ARI said 500' });
    expect(JSON.parse(b.result.output)).toMatchObject({ ok: false, error: expect.stringMatching(/sync/) });
  });

  it('records an ok:false tool result with its error', async () => {
    const no = tool('no', async () => ({ ok: false, error: 'nope' }));
    const { record } = await new ToolRegistry([no]).execute(request('no', '{"n":1}'), call, [no]);
    expect(record).toMatchObject({ ok: false, error: 'nope', result: { ok: false, error: 'nope' } });
  });

  it('rejects a result that is not a tool output', async () => {
    const weird = tool('weird', async () => 'hello' as never);
    const { result } = await new ToolRegistry([weird]).execute(request('weird', '{"n":1}'), call, [weird]);
    expect(JSON.parse(result.output)).toMatchObject({ ok: false, error: 'tool "weird" returned an invalid result' });
  });
});
