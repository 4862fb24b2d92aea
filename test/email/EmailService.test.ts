import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emailSchema, type EmailConfig } from '../../src/config/schema.js';
import { EmailService } from '../../src/email/EmailService.js';
import type { SpooledEmail } from '../../src/email/EmailOutbox.js';
import { foldCallRecord } from '../../src/records/foldCallRecord.js';
import type { CallRecord } from '../../src/records/CallRecord.js';
import { FakeOpenAIRest } from '../fakes/FakeOpenAIRest.js';
import { SmtpTestServer, freePort } from './SmtpTestServer.js';

const T0 = Date.parse('2025-03-04T10:00:00Z');

function record(overrides: Partial<{ name: string; outcome: 'completed' | 'voicemail' }> = {}): CallRecord {
  return foldCallRecord([
    { type: 'start', atMs: T0, callId: '1741082400.7', caller: { number: '+15551230000', name: overrides.name ?? 'Alice Smith' }, context: 'sales', provider: 'openai_realtime', profile: 'telephony_ulaw' },
    { type: 'answer', atMs: T0 + 500 },
    { type: 'transcript', atMs: T0 + 1_000, role: 'assistant', text: 'Hello, Acme sales, how can I help?' },
    { type: 'transcript', atMs: T0 + 4_000, role: 'user', text: 'I want a quote for <b>50</b> chairs & tables.' },
    { type: 'tool_call', atMs: T0 + 60_000, name: 'leave_voicemail', args: {}, ok: true, result: { ok: true }, durationMs: 800 },
    { type: 'end', atMs: T0 + 95_000, outcome: overrides.outcome ?? 'voicemail', reason: 'sent_on', durationMs: 95_000 },
  ]);
}

let dir: string;
let smtp: SmtpTestServer | undefined;
let llm: FakeOpenAIRest | undefined;
let services: EmailService[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'email-'));
});
afterEach(async () => {
  for (const s of services) s.close();
  services = [];
  await smtp?.close();
  smtp = undefined;
  await llm?.close();
  llm = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function config(port: number, extra: Record<string, unknown> = {}): EmailConfig {
  return emailSchema.parse({
    enabled: true,
    from: 'agent@acme.test',
    recipients: ['owner@acme.test', 'sales@acme.test'],
    subject_prefix: '[Acme AI]',
    smtp: { host: '127.0.0.1', port, secure: false, ...((extra.smtp as object | undefined) ?? {}) },
    summary: { enabled: Boolean(llm), base_url: llm?.baseUrl ?? 'http://127.0.0.1:1/v1', api_key: 'sk-test', model: 'gpt-4o-mini', timeout_ms: 5_000 },
    spool_dir: join(dir, 'spool'),
    max_attempts: 3,
    retry_initial_ms: 20,
    ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'smtp')),
  });
}

function service(cfg: EmailConfig, companyName?: string): EmailService {
  const s = new EmailService(cfg, companyName ? { companyName } : {});
  services.push(s);
  return s;
}

function spool(): SpooledEmail[] {
  const d = join(dir, 'spool');
  return readdirSync(d).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(d, f), 'utf8')) as SpooledEmail);
}

describe('summary email over real SMTP (no STARTTLS offered, TLS not required)', () => {
  it('carries caller, time, duration, outcome, actions, transcript and the LLM summary', async () => {
    smtp = await SmtpTestServer.start();
    llm = await FakeOpenAIRest.start({ apiKey: 'sk-test' });
    llm.scriptChat({ text: 'Alice Smith wants a quote for 50 chairs and left a voicemail; call her back.' });
    const email = service(config(smtp.port));
    await email.sendSummary(record(), ['owner@acme.test', 'owner@acme.test', 'sales@acme.test']);
    const [got] = await smtp.waitFor(1);
    const mail = got!.mail;
    expect(got!.envelopeTo).toEqual(['owner@acme.test', 'sales@acme.test']);
    expect(mail.from?.text).toBe('agent@acme.test');
    expect(mail.subject).toBe('[Acme AI] Call from Alice Smith <+15551230000> (sales): voicemail');
    const text = mail.text ?? '';
    expect(text).toContain('Caller: Alice Smith <+15551230000>');
    expect(text).toContain('Time: 2025-03-04 10:00:00 UTC');
    expect(text).toContain('Duration: 1m 35s');
    expect(text).toContain('Outcome: voicemail');
    expect(text).toContain('Summary\nAlice Smith wants a quote for 50 chairs and left a voicemail; call her back.');
    expect(text).toContain('- leave_voicemail {} → ok');
    expect(text).toContain('[00:01] Agent: Hello, Acme sales, how can I help?');
    expect(text).toContain('[00:04] Caller: I want a quote for <b>50</b> chairs & tables.');
    expect(mail.html).toContain('I want a quote for &lt;b&gt;50&lt;/b&gt; chairs &amp; tables.');
    expect(mail.html).not.toContain('<b>50</b>');

    const chat = llm.requestsTo('chat');
    expect(chat).toHaveLength(1);
    expect(chat[0]!.body.model).toBe('gpt-4o-mini');
    expect(JSON.stringify(chat[0]!.body.messages)).toContain('I want a quote for');
    expect(await email.flush(5_000)).toBe(true);
    expect(email.stats()).toEqual({ sent: 1, failed: 0, spooled: 0 });
    expect(spool()).toEqual([]);
  });

  it('still sends the email, saying the summary is unavailable, when the LLM fails', async () => {
    smtp = await SmtpTestServer.start();
    llm = await FakeOpenAIRest.start({ apiKey: 'sk-test' });
    llm.failNext('chat', { status: 500 });
    const email = service(config(smtp.port));
    await email.sendSummary(record(), ['owner@acme.test']);
    const [got] = await smtp.waitFor(1);
    expect(got!.mail.text).toContain('Summary unavailable');
    expect(got!.mail.text).toContain('[00:04] Caller: I want a quote');
  });

  it('uses the per-context subject, and keeps a hostile caller name on one header line', async () => {
    smtp = await SmtpTestServer.start();
    const email = service(config(smtp.port));
    await email.sendSummary(record({ name: 'Eve\r\nBcc: victim@evil.test' }), ['owner@acme.test'], { subject: 'New sales lead' });
    const [got] = await smtp.waitFor(1);
    expect(got!.mail.subject).toBe('[Acme AI] New sales lead: Eve Bcc: victim@evil.test <+15551230000>, voicemail');
    expect(got!.envelopeTo).toEqual(['owner@acme.test']);
    expect(got!.mail.bcc).toBeUndefined();
    // Summaries are off in this config: no summary section at all.
    expect(got!.mail.text).not.toContain('Summary');
  });

  it('does nothing (and does not throw) without recipients', async () => {
    smtp = await SmtpTestServer.start();
    const email = service(config(smtp.port, { recipients: [] }));
    await email.sendSummary(record(), []);
    expect(await email.flush(1_000)).toBe(true);
    expect(smtp.received).toEqual([]);
  });

  it('authenticates with user/password when configured', async () => {
    smtp = await SmtpTestServer.start({ auth: { user: 'agent', pass: 's3cret' } });
    const email = service(config(smtp.port, { smtp: { user: 'agent', password: 's3cret' } }));
    await email.sendSummary(record(), ['owner@acme.test']);
    const [got] = await smtp.waitFor(1);
    expect(got!.user).toBe('agent');
  });
});

describe('transcript email', () => {
  it('goes to the caller\'s address with the conversation and no internal details', async () => {
    smtp = await SmtpTestServer.start();
    const email = service(config(smtp.port), 'Acme');
    await email.sendTranscript(record(), 'alice@example.com');
    const [got] = await smtp.waitFor(1);
    expect(got!.envelopeTo).toEqual(['alice@example.com']);
    expect(got!.mail.subject).toBe('[Acme AI] Transcript of your call with Acme on 2025-03-04 10:00:00 UTC');
    expect(got!.mail.text).toContain('[00:04] Caller: I want a quote for <b>50</b> chairs & tables.');
    expect(got!.mail.text).not.toContain('leave_voicemail');
    expect(got!.mail.text).not.toContain('1741082400.7');
  });
});

describe('delivery failures', () => {
  it('retries with backoff, keeps the message in the spool marked failed, and delivers it on the next start', async () => {
    const port = await freePort();
    const first = service(config(port));
    await first.sendSummary(record(), ['owner@acme.test']);
    expect(spool()).toHaveLength(1);
    expect(await first.flush(10_000)).toBe(true);
    expect(first.stats()).toEqual({ sent: 0, failed: 1, spooled: 1 });
    const [kept] = spool();
    expect(kept).toMatchObject({ status: 'failed', attempts: 3, message: { to: ['owner@acme.test'] } });
    expect(kept!.lastError).toMatch(/ECONNREFUSED|connect/i);
    first.close();

    // Server back; the process restarts and resends the spool.
    smtp = await SmtpTestServer.start({ port });
    const second = service(config(port));
    expect(await second.start()).toBe(1);
    const [got] = await smtp.waitFor(1);
    expect(got!.mail.subject).toContain('Call from Alice Smith');
    expect(await second.flush(5_000)).toBe(true);
    expect(second.stats()).toEqual({ sent: 1, failed: 0, spooled: 0 });
    expect(spool()).toEqual([]);
  });

  it('does not send in the clear when TLS is required and the server offers no STARTTLS', async () => {
    smtp = await SmtpTestServer.start();
    const email = service(config(smtp.port, { smtp: { require_tls: true }, max_attempts: 1 }));
    await email.sendSummary(record(), ['owner@acme.test']);
    await email.flush(5_000);
    expect(smtp.received).toEqual([]);
    expect(spool()).toMatchObject([{ status: 'failed', attempts: 1 }]);
  });
});
