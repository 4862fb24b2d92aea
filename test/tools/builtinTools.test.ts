import { describe, expect, it } from 'vitest';
import { ToolRegistry } from '../../src/tools/ToolRegistry.js';
import type { DomainCheck } from '../../src/tools/builtin/domainAcceptsMail.js';
import { RecordingCallControl } from './RecordingCallControl.js';
import { makeToolsConfig } from './toolsConfig.js';

function setup(overrides: Record<string, unknown> = {}, options: { emailEnabled?: boolean; domainCheck?: DomainCheck } = {}) {
  const registry = ToolRegistry.fromConfig(makeToolsConfig(overrides), {
    emailEnabled: options.emailEnabled ?? true,
    ...(options.domainCheck ? { domainCheck: options.domainCheck } : {}),
  });
  const allowed = registry.forContext([...registry.names]);
  const call = new RecordingCallControl();
  const run = async (name: string, args: unknown = {}, c = call) => {
    const { result } = await registry.execute({ callId: 'fc', name, argumentsJson: JSON.stringify(args) }, c, allowed);
    return JSON.parse(result.output) as Record<string, unknown>;
  };
  return { registry, call, run };
}

describe('transfer (blind)', () => {
  it('waits for the sentence to play out, then continues into from-internal for an extension', async () => {
    const { call, run } = setup();
    expect(await run('transfer', { destination: 'sales' })).toEqual({ ok: true, status: 'transferred', destination: 'sales' });
    expect(call.calls).toEqual([
      { method: 'waitForPlayout', timeoutMs: 8_000 },
      { method: 'continueInDialplan', target: { context: 'from-internal', extension: '6000', priority: 1 }, outcome: 'transferred' },
    ]);
  });

  it('uses ext-queues, ext-group and a configured context per destination type', async () => {
    const { call, run } = setup();
    await run('transfer', { destination: 'support' });
    await run('transfer', { destination: 'billing' });
    await run('transfer', { destination: 'reception' });
    expect(call.dialled.map((c) => (c.method === 'continueInDialplan' ? c.target : null))).toEqual([
      { context: 'ext-queues', extension: '400', priority: 1 },
      { context: 'ext-group', extension: '600', priority: 1 },
      { context: 'custom-reception', extension: '100', priority: 1 },
    ]);
  });

  it('matches a description or its words, case-insensitively', async () => {
    const { call, run } = setup();
    expect(await run('transfer', { destination: 'SALES' })).toMatchObject({ ok: true, destination: 'sales' });
    expect(await run('transfer', { destination: 'technical support queue' })).toMatchObject({ ok: true, destination: 'support' });
    expect(await run('transfer', { destination: 'the accounts department' })).toMatchObject({ ok: true, destination: 'billing' });
    expect(await run('transfer', { destination: 'Reception' })).toMatchObject({ ok: true, destination: 'reception' });
    expect(call.dialled).toHaveLength(4);
  });

  it('refuses an ambiguous choice and lists the destinations', async () => {
    const { call, run } = setup();
    const out = await run('transfer', { destination: 'Support team' });
    // "support" is a key, but "Support team" is words: both support and billing mention support.
    expect(out.ok).toBe(false);
    expect(out.error).toMatch(/more than one destination/);
    expect(out.available_destinations).toEqual(['sales', 'support', 'billing', 'reception']);
    expect(call.dialled).toEqual([]);
  });

  it('explains that nothing is configured when there are no destinations', async () => {
    const { call, run } = setup({ transfer: { destinations: {} } });
    expect(await run('transfer', { destination: 'sales' })).toMatchObject({ ok: false, error: expect.stringMatching(/no transfer destinations/) });
    expect(call.calls).toEqual([]);
  });

  it('refuses a configured dialplan context that is not a context name at start-up', () => {
    expect(() =>
      setup({ transfer: { destinations: { x: { type: 'extension', target: '1', description: 'x', context: 'a,b' } } } }),
    ).toThrow(/not a dialplan context name/);
  });
});

describe('transfer (bridged)', () => {
  const bridged = { transfer: { mode: 'bridged', ring_timeout_s: 20, moh_class: 'jazz' } };

  it('originates Local/<target>@<context> with ring timeout and hold music, returning "ringing" at once', async () => {
    const { call, run } = setup(bridged);
    const out = await run('transfer', { destination: 'support' });
    expect(out).toMatchObject({ ok: true, status: 'ringing', destination: 'support' });
    expect(call.calls).toEqual([
      { method: 'waitForPlayout', timeoutMs: 8_000 },
      {
        method: 'startBridgedTransfer',
        endpoint: 'Local/400@ext-queues',
        opts: { timeoutMs: 20_000, mohClass: 'jazz', callerId: '+15551230000' },
      },
    ]);
  });

  it('tells the agent when nobody answers, so it can offer to take a message', async () => {
    const { call, run } = setup(bridged);
    await run('transfer', { destination: 'sales' });
    call.settleTransfer('no_answer');
    await Promise.resolve();
    const notes = call.calls.filter((c) => c.method === 'notifyAgent');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ text: expect.stringMatching(/Sales team did not answer.*take a message/) });
  });

  it('tells the agent on busy, and says nothing when answered', async () => {
    const { call, run } = setup(bridged);
    await run('transfer', { destination: 'sales' });
    call.settleTransfer('busy');
    await Promise.resolve();
    await run('transfer', { destination: 'sales' });
    call.settleTransfer('answered');
    await Promise.resolve();
    const notes = call.calls.filter((c) => c.method === 'notifyAgent');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ text: expect.stringMatching(/was busy/) });
  });

  it('refuses a second transfer while one rings', async () => {
    const { call, run } = setup(bridged);
    await run('transfer', { destination: 'sales' });
    expect(await run('transfer', { destination: 'support' })).toMatchObject({ ok: false, error: expect.stringMatching(/already ringing/) });
    expect(call.dialled).toHaveLength(1);
  });

  it('cancel_transfer stops the ringing transfer, and the agent is not told "no answer"', async () => {
    const { call, run } = setup(bridged);
    await run('transfer', { destination: 'sales' });
    expect(await run('cancel_transfer')).toMatchObject({ ok: true, status: 'cancelled' });
    await Promise.resolve();
    expect(call.methods()).toEqual(['waitForPlayout', 'startBridgedTransfer', 'cancelTransfer']);
    // The call can transfer again after a cancel.
    expect(await run('transfer', { destination: 'support' })).toMatchObject({ ok: true, status: 'ringing' });
  });
});

describe('cancel_transfer', () => {
  it('is an error when nothing is ringing', async () => {
    const { run } = setup();
    expect(await run('cancel_transfer')).toMatchObject({ ok: false, error: expect.stringMatching(/no transfer is ringing/) });
  });
});

describe('hangup_call', () => {
  it('uses the configured farewell and timeout by default', async () => {
    const { call, run } = setup({ hangup_call: { farewell: 'Bye now!', timeout_ms: 7_000 } });
    expect(await run('hangup_call')).toEqual({ ok: true, status: 'ending' });
    expect(call.calls).toEqual([{ method: 'hangupAfterFarewell', farewell: 'Bye now!', timeoutMs: 7_000 }]);
  });

  it('says the model\'s farewell, or none when it passes an empty one', async () => {
    const { call, run } = setup();
    await run('hangup_call', { farewell: 'Have a great day, Alice!' });
    await run('hangup_call', { farewell: '  ' });
    expect(call.calls).toEqual([
      { method: 'hangupAfterFarewell', farewell: 'Have a great day, Alice!', timeoutMs: 10_000 },
      { method: 'hangupAfterFarewell', farewell: undefined, timeoutMs: 10_000 },
    ]);
  });
});

describe('leave_voicemail', () => {
  it('says the announcement, waits for it, then continues to ext-local,vmu<mailbox>,1', async () => {
    const { call, run } = setup();
    expect(await run('leave_voicemail')).toEqual({ ok: true, status: 'voicemail' });
    expect(call.calls).toEqual([
      { method: 'say', text: "I'll connect you to voicemail now. Please leave your message after the tone." },
      { method: 'waitForPlayout', timeoutMs: 12_000 },
      { method: 'continueInDialplan', target: { context: 'ext-local', extension: 'vmu1001', priority: 1 }, outcome: 'voicemail' },
    ]);
  });

  it('accepts the configured mailbox named explicitly, and honours prefix/context/empty message', async () => {
    const { call, run } = setup({ leave_voicemail: { prefix: 'vmb', context: 'my-vm', message: '' } });
    expect(await run('leave_voicemail', { mailbox: '1001' })).toMatchObject({ ok: true });
    expect(call.calls).toEqual([
      { method: 'waitForPlayout', timeoutMs: 12_000 },
      { method: 'continueInDialplan', target: { context: 'my-vm', extension: 'vmb1001', priority: 1 }, outcome: 'voicemail' },
    ]);
  });

  it('is an error when no mailbox is configured', async () => {
    const { call, run } = setup({ leave_voicemail: { mailbox: '' } });
    expect(await run('leave_voicemail')).toMatchObject({ ok: false, error: expect.stringMatching(/not configured/) });
    expect(call.calls).toEqual([]);
  });
});

describe('send_email_summary', () => {
  it('asks the call for the summary email', async () => {
    const { call, run } = setup();
    expect(await run('send_email_summary')).toMatchObject({ ok: true, status: 'queued' });
    expect(call.methods()).toEqual(['requestSummaryEmail']);
  });

  it('is an error when email is disabled', async () => {
    const { call, run } = setup({}, { emailEnabled: false });
    expect(await run('send_email_summary')).toMatchObject({ ok: false, error: expect.stringMatching(/email is not configured/) });
    expect(call.calls).toEqual([]);
  });
});

describe('request_transcript', () => {
  it('queues a valid address on the call (domain lower-cased)', async () => {
    const { call, run } = setup();
    expect(await run('request_transcript', { email: ' Alice.Smith+calls@Example.COM ' })).toMatchObject({
      ok: true,
      status: 'queued',
      email: 'Alice.Smith+calls@example.com',
    });
    expect(call.calls).toEqual([{ method: 'queueTranscriptEmail', address: 'Alice.Smith+calls@example.com' }]);
  });

  it.each([
    ['Alice <alice@example.com>', /without a name/],
    ['alice@example.com, bob@example.com', /without a name, spaces or commas/],
    ['alice@example.com\nBcc: eve@evil.test', /without a name/],
    ['alice at example dot com', /without a name, spaces/],
    ['alice@@example.com', /exactly one @/],
    ['alice@localhost', /domain/],
    ['alice@[127.0.0.1]', /without a name/],
    ['.alice@example.com', /before @/],
    ['alice@exa_mple.com', /domain/],
  ])('refuses %j', async (email, error) => {
    const { call, run } = setup();
    expect(await run('request_transcript', { email })).toMatchObject({ ok: false, error: expect.stringMatching(error) });
    expect(call.calls).toEqual([]);
  });

  it('allows at most max_per_call addresses per call; a repeat is not counted twice', async () => {
    const { call, run } = setup({ request_transcript: { max_per_call: 2 } });
    await run('request_transcript', { email: 'a@example.com' });
    expect(await run('request_transcript', { email: 'a@example.com' })).toMatchObject({ ok: true, status: 'already_queued' });
    await run('request_transcript', { email: 'b@example.com' });
    expect(await run('request_transcript', { email: 'c@example.com' })).toMatchObject({ ok: false, error: expect.stringMatching(/at most 2/) });
    // Another call has its own budget.
    const other = new RecordingCallControl('call-2');
    expect(await run('request_transcript', { email: 'c@example.com' }, other)).toMatchObject({ ok: true });
    expect(call.calls.map((c) => (c.method === 'queueTranscriptEmail' ? c.address : c.method))).toEqual(['a@example.com', 'b@example.com']);
  });

  it('checks the domain when check_domain is on, and a failed check frees the slot', async () => {
    const asked: string[] = [];
    const domainCheck: DomainCheck = async (d) => {
      asked.push(d);
      return d === 'example.com';
    };
    const { call, run } = setup({ request_transcript: { check_domain: true, max_per_call: 1 } }, { domainCheck });
    expect(await run('request_transcript', { email: 'x@nomail.test' })).toMatchObject({ ok: false, error: expect.stringMatching(/nomail.test does not receive email/) });
    expect(await run('request_transcript', { email: 'x@example.com' })).toMatchObject({ ok: true });
    expect(asked).toEqual(['nomail.test', 'example.com']);
    expect(call.methods()).toEqual(['queueTranscriptEmail']);
  });

  it('does not check the domain when check_domain is off', async () => {
    let asked = 0;
    const { run } = setup({}, { domainCheck: async () => (asked++, false) });
    expect(await run('request_transcript', { email: 'x@example.com' })).toMatchObject({ ok: true });
    expect(asked).toBe(0);
  });

  it('is an error when email is disabled', async () => {
    const { call, run } = setup({}, { emailEnabled: false });
    expect(await run('request_transcript', { email: 'a@example.com' })).toMatchObject({ ok: false });
    expect(call.calls).toEqual([]);
  });

  it('tells the model to confirm the address with the caller', () => {
    const { registry } = setup();
    expect(registry.get('request_transcript')!.description).toMatch(/read it back.*clear yes/);
  });
});
