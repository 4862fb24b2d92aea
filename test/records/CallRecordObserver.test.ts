import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallObserver } from '../../src/call/CallObserver.js';
import { emailSchema } from '../../src/config/schema.js';
import { EmailService } from '../../src/email/EmailService.js';
import type { OutboxMessage } from '../../src/email/EmailOutbox.js';
import { CallRecordObserver, type RecordedCall } from '../../src/records/CallRecordObserver.js';
import { findCallRecordFile, readCallRecord } from '../../src/records/readCallRecord.js';

const T0 = Date.parse('2025-03-04T10:00:00Z');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'observer-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function call(): RecordedCall & { outcome: RecordedCall['outcome']; endReason: string } {
  return {
    callId: '1741082400.9',
    startedAt: new Date(T0),
    callerNumber: '+15551230000',
    callerName: 'Alice',
    contextName: 'sales',
    providerKey: 'openai_realtime',
    profileName: 'telephony_ulaw',
    outcome: 'abandoned',
    endReason: '',
    bridgeId: 'br-1',
    control: { summaryRequested: true, transcriptEmails: ['alice@example.com', 'alice@example.com'] },
  };
}

describe('CallRecordObserver', () => {
  it('fits the call session observer seam', () => {
    // A type-level check: this line fails to compile if the session stops providing what the observer reads.
    const o: Partial<CallObserver> = new CallRecordObserver({ dir });
    expect(typeof o.onEnd).toBe('function');
  });

  it('records the call as it goes and sends the queued emails with the finished record', async () => {
    const sent: OutboxMessage[] = [];
    const email = new EmailService(
      emailSchema.parse({ enabled: true, recipients: ['owner@acme.test'], summary: { enabled: false }, spool_dir: join(dir, 'spool') }),
      { send: async (m) => void sent.push(m) },
    );
    const observer = new CallRecordObserver({ dir, email, contextEmail: (name) => (name === 'sales' ? { recipients: ['sales@acme.test'], subject: 'Sales call' } : undefined) });
    const s = call();
    observer.onStart(s);
    observer.onAnswer(s);
    observer.onTranscript(s, { role: 'user', text: 'Hi', atMs: T0 + 2_000 });
    observer.onToolCall(s, { name: 'send_email_summary', args: {}, ok: true, result: { ok: true }, startedAt: T0 + 3_000, durationMs: 1 });
    observer.onBargeIn(s, [{ itemId: 'it1', responseId: 'r1', playedMs: 900 }]);
    observer.onLatency(s, { turn: 1, speechEndAt: T0 + 2_500, firstAudioAt: T0 + 3_100 });

    const file = await findCallRecordFile(dir, s.callId);
    expect((await readCallRecord(file!)).incomplete).toBe(true);

    s.outcome = 'completed';
    s.endReason = 'caller_hangup';
    observer.onEnd(s);
    const r = await readCallRecord(file!);
    expect(r).toMatchObject({ outcome: 'completed', reason: 'caller_hangup', incomplete: false, ids: { channel: s.callId, bridge: 'br-1' } });
    expect(r.emails.map((e) => `${e.kind}:${e.to.join(',')}`)).toEqual(['summary:sales@acme.test', 'transcript:alice@example.com']);
    expect(r.bargeIns).toEqual([expect.objectContaining({ playedMs: 900, itemId: 'it1' })]);
    expect(observer.openCalls).toBe(0);

    expect(await email.flush(5_000)).toBe(true);
    expect(sent.map((m) => [m.to.join(','), m.subject]).sort()).toEqual([
      ['alice@example.com', expect.stringContaining('Transcript of your call')],
      ['sales@acme.test', '[AI Agent] Sales call: Alice <+15551230000>, completed'],
    ]);
    email.close();
  });

  it('still writes a record for a call that failed before onStart', async () => {
    const observer = new CallRecordObserver({ dir });
    const s = { ...call(), control: undefined };
    observer.onError(s, 'setup_failed', new Error('bridge create 500'));
    observer.onEnd({ ...s, outcome: 'failed', endReason: 'setup_failed' });
    const r = await readCallRecord((await findCallRecordFile(dir, s.callId))!);
    expect(r).toMatchObject({ outcome: 'failed', errors: [expect.objectContaining({ code: 'setup_failed', message: 'bridge create 500' })] });
  });
});
