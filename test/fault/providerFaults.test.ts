import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SimCall } from '../../src/sim/SimCall.js';
import { startHarness, type Harness } from '../call/harness.js';
import { speechLike } from '../call/speechLike.js';
import { SmtpTestServer } from '../email/SmtpTestServer.js';
import { FakeRealtimeServer, type ScriptContext } from '../fakes/FakeRealtimeServer.js';
import { trackUnhandled } from '../fuzz/prng.js';
import { endsOrHearsAudio, nothingLeft } from './endsOrHears.js';

const API_KEY = 'sk-fault';
const LOAD = 10;
const speech = (ms: number): Int16Array => speechLike({ sampleRate: 8000, durationMs: ms, amplitude: 24_000 });

describe('fault injection: provider and email side, under load', () => {
  let h: Harness | undefined;
  let rt: FakeRealtimeServer | undefined;
  let smtp: SmtpTestServer | undefined;
  let dir: string | undefined;
  const unhandled = trackUnhandled();
  afterEach(async () => {
    await h?.close();
    await rt?.close();
    await smtp?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    h = rt = smtp = dir = undefined;
    expect(unhandled.rejections).toEqual([]);
  });

  async function realtimeCalls(overrides: Record<string, unknown> = {}): Promise<{ h: Harness; rt: FakeRealtimeServer; calls: SimCall[] }> {
    rt = await FakeRealtimeServer.start({ apiKey: API_KEY });
    h = await startHarness({
      overrides: {
        default_provider: 'openai_realtime',
        providers: { openai_realtime: { api_key: API_KEY, base_url: rt.url, reconnect_timeout_ms: 1_500 } },
        contexts: { default: { greeting: 'Hi.', prompt: 'Be brief.' } },
        external_media: { port_range: '25200-25299' },
        ...overrides,
      },
    });
    const { sim, agent } = h;
    const calls = Array.from({ length: LOAD }, (_, i) => sim.placeCall({ callerNumber: `555${4000 + i}`, variables: { AI_CONTEXT: 'default' } }));
    await sim.waitFor(() => calls.every((c) => agent.controller.sessions.get(c.id)?.media?.gate.canBargeIn() === true), 15_000, 'greetings over');
    return { h, rt, calls };
  }

  it('after every provider socket drops, each call reconnects and answers, or ends by policy; none in silence', async () => {
    const { h, rt, calls } = await realtimeCalls();
    const { sim, agent } = h;
    const before = rt.connections.length;
    rt.dropAll();
    const outcomes = await Promise.all(calls.map((c) => endsOrHearsAudio(sim, c, { speak: () => c.playAudio(speech(600), 8000), packets: 5, timeoutMs: 10_000 })));
    expect(outcomes).toHaveLength(LOAD);
    // The fake took new connections: the provider reconnected rather than giving up.
    expect(rt.connections.length).toBeGreaterThan(before);
    for (const c of calls) if (!c.hungUp) c.hangup();
    await nothingLeft(sim, () => agent.controller.sessions.size);
  });

  it('when the provider cannot come back, every call hears the failure sound and is hung up (policy)', async () => {
    const { h, rt, calls } = await realtimeCalls();
    const { sim, agent } = h;
    rt.failNextHandshake(500, 1_000);
    rt.dropAll();
    await sim.waitFor(() => calls.every((c) => c.hungUp), 10_000, 'every call ended by the failure policy');
    expect(calls.every((c) => c.playedMedia.length > 0)).toBe(true);
    await nothingLeft(sim, () => agent.controller.sessions.size);
  });

  it('when the media worker dies, every call hears the failure sound and ends by policy; the next call has audio', async () => {
    const { h, calls } = await realtimeCalls();
    const { sim, agent } = h;
    const { WorkerMediaHost } = await import('../../src/media/WorkerMediaHost.js');
    expect(agent.media).toBeInstanceOf(WorkerMediaHost);
    await (agent.media as InstanceType<typeof WorkerMediaHost>).kill();
    await sim.waitFor(() => calls.every((c) => c.hungUp), 10_000, 'every call ended by the failure policy');
    // The agent could not speak any more: Asterisk played the failure sound to each caller.
    expect(calls.every((c) => c.playedMedia.length > 0)).toBe(true);
    await nothingLeft(sim, () => agent.controller.sessions.size);
    // A new worker takes the next call.
    const next = sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => next.received.length >= 10, 10_000, 'the next call hears its greeting');
    next.hangup();
    await nothingLeft(sim, () => agent.controller.sessions.size);
  });

  it('with SMTP down, calls end normally, the summary waits in the spool and goes out when SMTP is back', async () => {
    dir = mkdtempSync(join(tmpdir(), 'aiav-fault-'));
    const down = await SmtpTestServer.start();
    const port = down.port;
    await down.close(); // nothing listens on this port now: connection refused
    let asked = 0;
    const script = (ctx: ScriptContext) => {
      if (ctx.verbatim !== undefined) return { text: ctx.verbatim, audioMs: 300 };
      if (ctx.trigger === 'vad' && asked++ === 0) return { text: 'Sure.', audioMs: 300, functionCalls: [{ name: 'send_email_summary', arguments: {} }] };
      return { text: 'Okay.', audioMs: 200 };
    };
    rt = await FakeRealtimeServer.start({ apiKey: API_KEY });
    rt.script(script);
    h = await startHarness({
      overrides: {
        default_provider: 'openai_realtime',
        providers: { openai_realtime: { api_key: API_KEY, base_url: rt.url } },
        contexts: { default: { greeting: 'Hi.', prompt: 'x', tools: ['send_email_summary'] } },
        // The summary email is sent from the call record at the end of the call.
        call_records: { enabled: true, dir: join(dir, 'records') },
        email: {
          enabled: true,
          from: 'agent@example.com',
          recipients: ['office@example.com'],
          smtp: { host: '127.0.0.1', port },
          summary: { enabled: false },
          spool_dir: join(dir, 'spool'),
          retry_initial_ms: 100,
          max_attempts: 50,
        },
        external_media: { port_range: '25300-25399' },
      },
    });
    const { sim, agent } = h;
    const call = sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => agent.controller.sessions.get(call.id)?.media?.gate.canBargeIn() === true, 8_000, 'greeting over');
    await call.playAudio(speech(700), 8000);
    await rt.waitFor(() => rt!.receivedOf('conversation.item.create').some((e) => (e.item as { type?: string }).type === 'function_call_output'), 10_000, 'tool ran');
    call.hangup();
    await nothingLeft(sim, () => agent.controller.sessions.size);
    // The call is over; the email is on disk, waiting.
    const spool = join(dir, 'spool');
    await sim.waitFor(() => existsSync(spool) && readdirSync(spool).length > 0, 5_000, 'summary spooled');
    smtp = await SmtpTestServer.start({ port });
    const [mail] = await smtp.waitFor(1);
    expect(mail?.envelopeTo).toEqual(['office@example.com']);
    // The agent kept working meanwhile: a new call is taken normally.
    const next = sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => agent.controller.sessions.get(next.id)?.phase === 'active', 8_000, 'next call active');
    next.hangup();
    await nothingLeft(sim, () => agent.controller.sessions.size);
  });
});
