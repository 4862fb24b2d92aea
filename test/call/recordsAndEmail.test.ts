import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findCallRecordFile, readCallRecord } from '../../src/records/readCallRecord.js';
import { SmtpTestServer } from '../email/SmtpTestServer.js';
import { FakeOpenAIRest } from '../fakes/FakeOpenAIRest.js';
import { FakeRealtimeServer, type ScriptContext } from '../fakes/FakeRealtimeServer.js';
import { startHarness, type Harness } from './harness.js';
import { speechLike } from './speechLike.js';

const speech = (ms: number): Int16Array => speechLike({ sampleRate: 8000, durationMs: ms, amplitude: 24_000 });

function onFirstTurn(call: { name: string; arguments: Record<string, unknown> }, extra: (ctx: ScriptContext) => object | undefined = () => undefined) {
  let done = false;
  return (ctx: ScriptContext) => {
    const e = extra(ctx);
    if (e) return e;
    if (ctx.verbatim !== undefined) return { text: ctx.verbatim, audioMs: 300 };
    if (ctx.trigger === 'vad' && !done) {
      done = true;
      return { text: 'One moment.', audioMs: 300, functionCalls: [call] };
    }
    return { text: 'Okay.', audioMs: 200 };
  };
}

describe('tools, records and email through whole calls', () => {
  let h: Harness | undefined;
  let rt: FakeRealtimeServer | undefined;
  let rest: FakeOpenAIRest | undefined;
  let smtp: SmtpTestServer | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await h?.close();
    await rt?.close();
    await rest?.close();
    await smtp?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    h = rt = rest = smtp = dir = undefined;
  });

  it('leave_voicemail: the announcement plays, then the caller goes to the mailbox and is not hung up', async () => {
    rt = await FakeRealtimeServer.start({ apiKey: 'sk-test' });
    rt.script(onFirstTurn({ name: 'leave_voicemail', arguments: {} }));
    h = await startHarness({
      overrides: {
        default_provider: 'openai_realtime',
        providers: { openai_realtime: { api_key: 'sk-test', base_url: rt.url }, echo: {} },
        contexts: { default: { greeting: 'Hi.', prompt: 'x', tools: ['leave_voicemail'] } },
        tools: { leave_voicemail: { mailbox: '100', message: 'Please leave a message after the tone.' } },
      },
    });
    const { sim, agent } = h;
    const call = sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => agent.controller.sessions.get(call.id)?.media?.gate.canBargeIn() === true, 8_000, 'greeting over');
    await call.playAudio(speech(700), 8000, { realtime: true });
    await sim.waitFor(() => call.continuedTo != null, 10_000, 'sent to voicemail');
    expect(call.continuedTo).toMatchObject({ context: 'ext-local', extension: 'vmu100', priority: 1 });
    expect(rt.receivedOf('response.create').some((e) => JSON.stringify(e).includes('Please leave a message after the tone.'))).toBe(true);
    await sim.waitFor(() => agent.controller.sessions.size === 0, 5_000, 'ended');
    expect(call.hungUp).toBe(false);
  }, 30_000);

  it('hangup_call still ends the call when the farewell audio never finishes (timeout)', async () => {
    rt = await FakeRealtimeServer.start({ apiKey: 'sk-test' });
    const farewell = 'Goodbye now.';
    rt.script(
      onFirstTurn({ name: 'hangup_call', arguments: { farewell } }, (ctx) =>
        ctx.verbatim === farewell ? { text: farewell, audioMs: 10_000, stallAfterMs: 200 } : undefined,
      ),
    );
    h = await startHarness({
      overrides: {
        default_provider: 'openai_realtime',
        providers: { openai_realtime: { api_key: 'sk-test', base_url: rt.url }, echo: {} },
        contexts: { default: { greeting: 'Hi.', prompt: 'x', tools: ['hangup_call'] } },
        tools: { hangup_call: { timeout_ms: 1_500 } },
      },
    });
    const { sim, agent } = h;
    const call = sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => agent.controller.sessions.get(call.id)?.media?.gate.canBargeIn() === true, 8_000, 'greeting over');
    await call.playAudio(speech(700), 8000, { realtime: true });
    const t0 = Date.now();
    await sim.waitFor(() => call.hungUp, 10_000, 'hung up by the timeout');
    expect(Date.now() - t0).toBeLessThan(6_000);
  }, 30_000);

  it('writes the call record as it goes and emails the summary the model asked for', async () => {
    dir = mkdtempSync(join(tmpdir(), 'aiav-call-'));
    rt = await FakeRealtimeServer.start({ apiKey: 'sk-test' });
    rt.userSays('My sink is leaking, please email the team.');
    rt.script(onFirstTurn({ name: 'send_email_summary', arguments: {} }));
    rest = await FakeOpenAIRest.start({ apiKey: 'sk-llm' });
    rest.scriptChat({ text: 'Caller reported a leaking sink and asked for a follow-up.' });
    smtp = await SmtpTestServer.start();
    h = await startHarness({
      overrides: {
        default_provider: 'openai_realtime',
        providers: { openai_realtime: { api_key: 'sk-test', base_url: rt.url }, echo: {} },
        contexts: { default: { greeting: 'Hi.', prompt: 'x', tools: ['send_email_summary'] } },
        call_records: { enabled: true, dir },
        email: {
          enabled: true,
          from: 'agent@example.com',
          recipients: ['office@example.com'],
          smtp: { host: '127.0.0.1', port: smtp.port },
          summary: { base_url: rest.baseUrl, api_key: 'sk-llm', model: 'gpt-4o-mini' },
          spool_dir: join(dir, 'spool'),
        },
      },
    });
    const { sim, agent } = h;
    const call = sim.placeCall({ callerNumber: '5551234', callerName: 'Ann', variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => agent.controller.sessions.get(call.id)?.media?.gate.canBargeIn() === true, 8_000, 'greeting over');
    await call.playAudio(speech(700), 8000, { realtime: true });
    await rt.waitFor(() => rt!.receivedOf('conversation.item.create').some((e) => (e.item as { type?: string }).type === 'function_call_output'), 10_000, 'tool ran');
    // Mid-call, the record is already on disk (a crash now would keep it).
    const file = await sim.waitFor(() => true, 100).then(() => findCallRecordFile(dir!, call.id));
    expect(file).toBeDefined();
    const partial = await readCallRecord(file!);
    expect(partial.incomplete).toBe(true);
    call.hangup();
    await sim.waitFor(() => agent.controller.sessions.size === 0, 5_000, 'ended');
    const record = await readCallRecord(file!);
    expect(record.incomplete).toBeFalsy();
    expect(record.caller).toEqual({ number: '5551234', name: 'Ann' });
    expect(record.toolCalls.map((t) => t.name)).toContain('send_email_summary');
    expect(record.transcript.some((t) => t.role === 'user' && t.text.includes('leaking'))).toBe(true);
    const [mail] = await smtp.waitFor(1);
    expect(mail?.envelopeTo).toEqual(['office@example.com']);
    expect(mail?.mail.text).toContain('leaking sink and asked for a follow-up');
    expect(mail?.mail.text).toContain('5551234');
    // The email is counted in the metrics: spooled first, then sent.
    let emails = '';
    for (let i = 0; i < 50 && !/status="sent"} 1/.test(emails); i++) {
      emails = await agent.ops.metrics.registry.getSingleMetricAsString('ai_agent_emails_total');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(emails).toMatch(/status="spooled"} 1/);
    expect(emails).toMatch(/status="sent"} 1/);
  }, 30_000);
});
