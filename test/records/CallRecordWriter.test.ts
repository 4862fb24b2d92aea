import { execFile } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallRecordWriter, callRecordPath, safeFileName } from '../../src/records/CallRecordWriter.js';
import { findCallRecordFile, listCallRecords, readCallRecord } from '../../src/records/readCallRecord.js';
import { pruneCallRecords } from '../../src/records/pruneCallRecords.js';

const T0 = Date.parse('2025-03-04T10:00:00Z');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'records-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function startCall(callId: string, startedAtMs = T0, extra: Partial<{ context: string; number: string }> = {}) {
  const w = new CallRecordWriter({ dir, callId, startedAtMs });
  w.append({
    type: 'start',
    atMs: startedAtMs,
    callId,
    ids: { channel: callId, bridge: `b-${callId}` },
    caller: { number: extra.number ?? '+15551230000', name: 'Alice' },
    context: extra.context ?? 'sales',
    provider: 'openai_realtime',
    profile: 'telephony_ulaw',
  });
  return w;
}

function lines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('CallRecordWriter', () => {
  it('writes one line per event as the call goes, under <dir>/<UTC day>/<callId>.jsonl', () => {
    const w = startCall('1741082400.1');
    expect(w.file).toBe(join(dir, '2025-03-04', '1741082400.1.jsonl'));
    expect(lines(w.file).map((l) => l.type)).toEqual(['start']);
    w.append({ type: 'answer', atMs: T0 + 1_000 });
    expect(lines(w.file).map((l) => l.type)).toEqual(['start', 'answer']);
    w.append({ type: 'transcript', atMs: T0 + 2_000, role: 'assistant', text: 'Hello!' });
    w.append({ type: 'tool_call', atMs: T0 + 9_000, name: 'transfer', args: { destination: 'sales' }, ok: true, result: { ok: true }, durationMs: 12 });
    w.append({ type: 'barge_in', atMs: T0 + 3_000, playedMs: 640, itemId: 'it_1' });
    w.append({ type: 'latency', atMs: T0 + 4_000, turn: 1, speechEndAt: T0 + 3_500, firstAudioAt: T0 + 4_000 });
    w.append({ type: 'transfer', atMs: T0 + 9_100, mode: 'blind', target: '6000@from-internal', result: 'transferred' });
    w.append({ type: 'error', atMs: T0 + 9_200, code: 'x', message: 'y' });
    w.end({ outcome: 'transferred', reason: 'transferred', atMs: T0 + 10_000 });
    const written = lines(w.file);
    expect(written.map((l) => l.type)).toEqual(['start', 'answer', 'transcript', 'tool_call', 'barge_in', 'latency', 'transfer', 'error', 'end']);
    expect(written.at(-1)).toEqual({ type: 'end', outcome: 'transferred', reason: 'transferred', atMs: T0 + 10_000, durationMs: 10_000 });
  });

  it('ignores events after end and ends only once', () => {
    const w = startCall('c1');
    w.end({ outcome: 'completed', reason: 'caller_hangup', atMs: T0 + 5_000 });
    w.append({ type: 'answer' });
    w.end({ outcome: 'failed', reason: 'again' });
    expect(lines(w.file).map((l) => l.type)).toEqual(['start', 'end']);
    expect(w.dropped).toBe(1);
  });

  it('gives an in-memory snapshot equal to what is read back from disk', async () => {
    const w = startCall('c2');
    w.append({ type: 'answer', atMs: T0 + 500 });
    w.append({ type: 'transcript', atMs: T0 + 1_000, role: 'user', text: 'Hi' });
    w.end({ outcome: 'completed', reason: 'agent_hangup', atMs: T0 + 2_000 });
    expect(await readCallRecord(w.file)).toEqual(w.snapshot());
  });

  it('never throws when the directory cannot be created (counted as dropped)', () => {
    const blocker = join(dir, 'blocked');
    writeFileSync(blocker, 'not a directory');
    const w = new CallRecordWriter({ dir: blocker, callId: 'c3', startedAtMs: T0 });
    expect(() => w.append({ type: 'answer' })).not.toThrow();
    expect(() => w.end({ outcome: 'completed', reason: 'x' })).not.toThrow();
    expect(w.dropped).toBe(2);
  });

  it('keeps call ids from walking out of the directory', () => {
    expect(safeFileName('../../etc/passwd')).toBe('__.._etc_passwd');
    expect(callRecordPath('/r', '../x', T0)).toBe('/r/2025-03-04/__x.jsonl');
  });
});

describe('readCallRecord', () => {
  it('folds a complete record: ids, caller, times, outcome, transcript, tool calls', async () => {
    const w = startCall('c4');
    w.append({ type: 'answer', atMs: T0 + 800 });
    w.append({ type: 'transcript', atMs: T0 + 1_000, role: 'assistant', text: 'Hello' });
    w.append({ type: 'transcript', atMs: T0 + 3_000, role: 'user', text: 'Voicemail please', itemId: 'u1' });
    w.append({ type: 'tool_call', atMs: T0 + 4_000, name: 'leave_voicemail', args: {}, ok: true, result: { ok: true, status: 'voicemail' }, durationMs: 900 });
    w.end({ outcome: 'voicemail', reason: 'sent_on', atMs: T0 + 5_000 });
    const r = await readCallRecord(w.file);
    expect(r).toMatchObject({
      callId: 'c4',
      ids: { channel: 'c4', bridge: 'b-c4' },
      caller: { number: '+15551230000', name: 'Alice' },
      context: 'sales',
      provider: 'openai_realtime',
      profile: 'telephony_ulaw',
      startedAtMs: T0,
      answeredAtMs: T0 + 800,
      endedAtMs: T0 + 5_000,
      durationMs: 5_000,
      outcome: 'voicemail',
      reason: 'sent_on',
      incomplete: false,
      badLines: 0,
    });
    expect(r.transcript.map((t) => `${t.role}:${t.text}`)).toEqual(['assistant:Hello', 'user:Voicemail please']);
    expect(r.toolCalls).toHaveLength(1);
  });

  it('reads a record whose process was killed mid-call (SIGKILL): incomplete, failed, everything written kept', async () => {
    const child = await new Promise<{ signal: NodeJS.Signals | null }>((resolve) => {
      const p = execFile(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'crashMidCall.ts'), dir, 'crash.1'], () => undefined);
      p.on('exit', (_code, signal) => resolve({ signal }));
    });
    expect(child.signal).toBe('SIGKILL');
    const file = await findCallRecordFile(dir, 'crash.1');
    expect(file).toBeDefined();
    const r = await readCallRecord(file!);
    expect(r).toMatchObject({ callId: 'crash.1', incomplete: true, outcome: 'failed', durationMs: 5_000, context: 'sales' });
    expect(r.transcript.map((t) => t.text)).toEqual(['Hello, how can I help?', 'I need a quote.']);
  });

  it('skips a torn last line and calls an unanswered, unfinished call abandoned', async () => {
    const w = startCall('c5');
    w.append({ type: 'transcript', atMs: T0 + 2_000, role: 'assistant', text: 'Hel' });
    appendFileSync(w.file, '{"type":"transcript","atMs":17410');
    const r = await readCallRecord(w.file);
    expect(r).toMatchObject({ incomplete: true, outcome: 'abandoned', badLines: 1, durationMs: 2_000 });
    expect(r.transcript).toHaveLength(1);
  });
});

describe('listCallRecords / findCallRecordFile', () => {
  it('lists the most recent calls first across days, up to the limit', async () => {
    for (const [id, at] of [
      ['a', T0],
      ['b', T0 + 60_000],
      ['c', T0 + 86_400_000],
      ['d', T0 - 86_400_000],
    ] as const) {
      startCall(id, at).end({ outcome: 'completed', reason: 'x', atMs: at + 1_000 });
    }
    mkdirSync(join(dir, 'not-a-day'));
    writeFileSync(join(dir, '2025-03-04', 'junk.txt'), 'x');
    expect((await listCallRecords(dir)).map((r) => r.callId)).toEqual(['c', 'b', 'a', 'd']);
    expect((await listCallRecords(dir, { limit: 2 })).map((r) => r.callId)).toEqual(['c', 'b']);
    expect(await findCallRecordFile(dir, 'd')).toBe(join(dir, '2025-03-03', 'd.jsonl'));
    expect(await findCallRecordFile(dir, 'zzz')).toBeUndefined();
  });

  it('lists nothing when the directory does not exist yet', async () => {
    expect(await listCallRecords(join(dir, 'missing'))).toEqual([]);
  });
});

describe('pruneCallRecords', () => {
  it('removes day directories older than the retention, keeps the rest', async () => {
    const now = new Date('2025-03-31T12:00:00Z');
    for (const day of ['2025-02-27', '2025-02-28', '2025-03-01', '2025-03-31']) {
      mkdirSync(join(dir, day));
      writeFileSync(join(dir, day, 'x.jsonl'), '');
    }
    expect(await pruneCallRecords(dir, 30, now)).toEqual(['2025-02-28', '2025-02-27']);
    expect(readdirSync(dir).sort()).toEqual(['2025-03-01', '2025-03-31']);
  });

  it('keeps everything when retention is 0', async () => {
    mkdirSync(join(dir, '2000-01-01'));
    expect(await pruneCallRecords(dir, 0, new Date())).toEqual([]);
    expect(readdirSync(dir)).toEqual(['2000-01-01']);
  });
});
