import { afterEach, describe, expect, it } from 'vitest';
import { envelope, startHarness, type Harness } from './harness.js';
import { utterances } from './speechLike.js';

/**
 * Count separate bursts in an energy envelope (20 ms blocks): a burst ends only after 300 ms below the threshold, so
 * a loaded machine's stall does not split an utterance (the pauses between utterances are 700 ms). With 100 ms, a CI
 * run once counted 4 bursts, one utterance split by a hole (cause not seen; a stalled clock leaves one: the pacer
 * resyncs rather than bursting).
 */
function bursts(env: number[], threshold: number): number {
  let count = 0;
  let on = false;
  let quiet = 0;
  for (const e of env) {
    if (e > threshold) {
      if (!on) count++;
      on = true;
      quiet = 0;
    } else if (on && ++quiet >= 15) on = false;
  }
  return count;
}

describe('a whole call with the echo provider over real UDP', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it.each([
    ['in the media worker thread (default)', true],
    ['on the main event loop (media_thread: false)', false],
  ])("plays the caller's own audio back and leaves nothing behind when the caller hangs up: RTP %s", async (_where, mediaThread) => {
    h = await startHarness({ overrides: { external_media: { media_thread: mediaThread } } });
    expect(h.agent.media.kind).toBe(mediaThread ? 'worker' : 'inline');
    const { sim, agent } = h;
    const call = sim.placeCall({ callerNumber: '5551234', callerName: 'Lab Caller', variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => sim.channels.get(call.id)?.state === 'Up', 5_000, 'caller answered');
    expect(agent.controller.sessions.size).toBe(1);

    // Three utterances with pauses; during the pauses Asterisk sends nothing (two-member bridge).
    const audio = utterances({ sampleRate: 8000, count: 3, speechMs: 600, pauseMs: 700 });
    await call.playAudio(audio, 8000, { realtime: true });
    await call.waitForReceivedMs(3_000, 8_000);

    const rx = call.received;
    expect(rx.length).toBeGreaterThan(100);
    expect(rx.every((p) => p.pt === 0 && p.payloadBytes === 160)).toBe(true);
    expect(call.droppedDynamic).toBe(0);
    const env = envelope(call.receivedPcm(), 8000);
    const max = Math.max(...env);
    expect(max).toBeGreaterThan(300);
    expect(bursts(env, max / 4)).toBe(3);

    call.hangup();
    await sim.waitFor(() => agent.controller.sessions.size === 0, 5_000, 'session ended');
    await sim.waitFor(() => sim.channels.size === 0 && sim.bridges.size === 0, 5_000, 'nothing left in Asterisk');
    expect(sim.rtpPeers).toBe(0);
    expect(await agent.media.probe()).toMatchObject({ channels: 0, ports: 0 });
    const deletes = sim.requests.filter((r) => r.method === 'DELETE').map((r) => r.path);
    expect(deletes.some((p) => p.includes('/channels/aiav-em-'))).toBe(true);
    expect(deletes.some((p) => p.includes('/bridges/aiav-br-'))).toBe(true);
    // The caller hung up themselves: we never DELETE their channel.
    expect(deletes.some((p) => p.endsWith(`/channels/${call.id}`))).toBe(false);
  });

  it('builds the media path in the order Asterisk needs and answers last', async () => {
    h = await startHarness();
    const { sim } = h;
    const call = sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => sim.channels.get(call.id)?.state === 'Up', 5_000, 'answered');
    const seq = sim.requests
      .filter((r) => r.method === 'POST')
      .map((r) => r.path.replace(/\/[^/]*aiav-[^/]*|\/\d+\.\d+/g, '/{id}'));
    expect(seq).toEqual([
      '/bridges',
      '/bridges/{id}/addChannel',
      '/channels/externalMedia',
      '/bridges/{id}/addChannel',
      '/channels/{id}/answer',
    ]);
    // No addChannel of the media leg was refused with 422: it was added after its StasisStart.
    expect(sim.requests.some((r) => r.status === 422)).toBe(false);
  });

  for (const order of ['event-first', 'reply-first', 'random'] as const) {
    it(`sets the call up whichever comes first, the ExternalMedia REST reply or its StasisStart (${order})`, async () => {
      h = await startHarness();
      const { sim, agent } = h;
      sim.options.externalMediaOrder = order;
      const calls = Array.from({ length: 5 }, () => sim.placeCall({ variables: { AI_CONTEXT: 'default' } }));
      await sim.waitFor(() => calls.every((c) => agent.controller.sessions.get(c.id)?.phase === 'active'), 10_000, 'all active');
      expect(sim.requests.filter((r) => r.status === 422)).toEqual([]);
      for (const c of calls) c.hangup();
      await sim.waitFor(() => agent.controller.sessions.size === 0 && sim.bridges.size === 0, 5_000, 'cleaned up');
    });
  }
});
