import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callsCommand } from '../../src/cli/callsCommand.js';
import type { CliIo } from '../../src/cli/CliCommand.js';
import { runCli } from '../../src/cli/runCli.js';
import { CallRecordWriter } from '../../src/records/CallRecordWriter.js';

const T0 = Date.parse('2025-03-04T10:00:00Z');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'calls-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: {}, cwd: dir };
  const code = await runCli(argv, io, [callsCommand]);
  return { code, out, err };
}

function writeCalls(): void {
  const a = new CallRecordWriter({ dir, callId: '1741082400.1', startedAtMs: T0 });
  a.append({ type: 'start', atMs: T0, callId: '1741082400.1', ids: { channel: '1741082400.1' }, caller: { number: '+15551230000', name: 'Alice' }, context: 'sales', provider: 'openai_realtime', profile: 'telephony_ulaw' });
  a.append({ type: 'answer', atMs: T0 + 400 });
  a.append({ type: 'transcript', atMs: T0 + 1_000, role: 'assistant', text: 'Hello, Acme.' });
  a.append({ type: 'transcript', atMs: T0 + 3_000, role: 'user', text: 'Sales please.' });
  a.append({ type: 'tool_call', atMs: T0 + 4_000, name: 'transfer', args: { destination: 'sales' }, ok: true, result: { ok: true, status: 'transferred' }, durationMs: 310 });
  a.append({ type: 'transfer', atMs: T0 + 4_300, mode: 'blind', target: '6000@from-internal', result: 'transferred' });
  a.end({ outcome: 'transferred', reason: 'sent_on', atMs: T0 + 65_000 });
  const b = new CallRecordWriter({ dir, callId: '1741082500.2', startedAtMs: T0 + 100_000 });
  b.append({ type: 'start', atMs: T0 + 100_000, callId: '1741082500.2', caller: { number: '+15559990000', name: '' }, context: 'support', provider: 'echo', profile: 'telephony_ulaw' });
  b.append({ type: 'answer', atMs: T0 + 100_500 });
  b.close();
}

describe('ai-agent calls', () => {
  it('lists recent calls newest first with time, caller, context, outcome, duration', async () => {
    writeCalls();
    const { code, out } = await cli('calls', '--dir', dir);
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME \(UTC\)\s+CALLER\s+CONTEXT\s+OUTCOME\s+DURATION\s+ID$/);
    expect(lines[1]).toMatch(/^2025-03-04 10:01:40\s+\+15559990000\s+support\s+failed\*\s+1s\s+1741082500\.2$/);
    expect(lines[2]).toMatch(/^2025-03-04 10:00:00\s+Alice <\+15551230000>\s+sales\s+transferred\s+1m 05s\s+1741082400\.1$/);
    expect(lines[3]).toMatch(/incomplete/);
  });

  it('honours --limit and rejects a bad one', async () => {
    writeCalls();
    const { out } = await cli('calls', '--dir', dir, '--limit', '1');
    expect(out).toContain('1741082500.2');
    expect(out).not.toContain('1741082400.1');
    expect((await cli('calls', '--dir', dir, '-n', 'zero')).code).toBe(2);
  });

  it('shows one call: header, transcript, tool calls, transfers', async () => {
    writeCalls();
    const { code, out } = await cli('calls', 'show', '1741082400.1', '--dir', dir);
    expect(code).toBe(0);
    expect(out).toMatch(/^Call:\s+1741082400\.1$/m);
    expect(out).toMatch(/^Outcome:\s+transferred \(sent_on\)$/m);
    expect(out).toContain('  [00:03] Caller: Sales please.');
    expect(out).toContain('  [00:04] transfer {"destination":"sales"} → {"ok":true,"status":"transferred"} (310 ms)');
    expect(out).toContain('  [00:04] blind 6000@from-internal: transferred');
  });

  it('says so when the call does not exist, and when there are no calls', async () => {
    const missing = await cli('calls', 'show', 'nope', '--dir', dir);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('no call "nope"');
    const empty = await cli('calls', '--dir', dir);
    expect(empty.out).toContain('no call records');
  });

  it('rejects an unknown subcommand', async () => {
    const { code, err } = await cli('calls', 'delete', 'x', '--dir', dir);
    expect(code).toBe(2);
    expect(err).toContain('usage:');
  });
});
