import { afterEach, describe, expect, it } from 'vitest';
import { concat, silence, voice } from '../vad/signals.js';
import { startOpsHarness, type OpsHarness } from './opsHarness.js';

/** Prometheus text → value of one series (labels as written by prom-client, e.g. `outcome="completed"`). */
function series(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}} ` : `${name} `));
  return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function scrape(h: OpsHarness): Promise<string> {
  return (await fetch(`${h.url}/metrics`)).text();
}


describe('metrics of a simulated call (echo provider, real RTP)', () => {
  let h: OpsHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('counts the call, its live state and its end, with no caller number or call id in any label', async () => {
    h = await startOpsHarness();
    const { sim, agent } = h;
    const before = await scrape(h);
    expect(series(before, 'ai_agent_calls_started_total')).toBe(0);
    expect(series(before, 'ai_agent_active_calls')).toBe(0);

    const call = sim.placeCall({ callerNumber: '5559876', variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => sim.channels.get(call.id)?.state === 'Up', 5_000, 'caller answered');
    // The caller speaks and the echo comes back over RTP (the echo provider takes raw audio: no VAD gate).
    await call.playAudio(concat(voice(8000, 800, -16), silence(8000, 400)), 8000, { realtime: true });
    await call.waitForReceivedMs(400, 8_000);

    const during = await scrape(h);
    expect(series(during, 'ai_agent_calls_started_total')).toBe(1);
    expect(series(during, 'ai_agent_active_calls')).toBe(1);
    expect(series(during, 'ai_agent_vad_gate_openings_total')).toBe(0);
    expect(during).not.toContain('5559876');
    expect(during).not.toContain(call.id);

    call.hangup();
    await sim.waitFor(() => agent.controller.sessions.size === 0, 5_000, 'session ended');
    const after = await scrape(h);
    expect(series(after, 'ai_agent_active_calls')).toBe(0);
    expect(series(after, 'ai_agent_calls_ended_total', 'outcome="completed"')).toBe(1);
    expect(series(after, 'ai_agent_call_duration_seconds_count', 'outcome="completed"')).toBe(1);
    expect(series(after, 'ai_agent_call_duration_seconds_sum', 'outcome="completed"')).toBeGreaterThan(1);
    expect(after).not.toContain(call.id);
  });

  it('moves the RTP packet counters during the call and keeps them after it', async () => {
    h = await startOpsHarness();
    const { sim, agent } = h;
    const call = sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => sim.channels.get(call.id)?.state === 'Up', 5_000, 'caller answered');
    await call.playAudio(voice(8000, 600, -16), 8000, { realtime: true });
    await call.waitForReceivedMs(300, 8_000);
    const during = await scrape(h);
    const inDuring = series(during, 'ai_agent_rtp_packets_in_total');
    expect(inDuring).toBeGreaterThan(10);
    expect(series(during, 'ai_agent_rtp_packets_out_total')).toBeGreaterThan(10);
    // The echo came back as one item: its start was timed across the two threads on one clock (a mismatch would
    // show as 0, clamped, or as a sum of hours).
    const starts = series(during, 'ai_agent_playout_start_delay_seconds_count');
    expect(starts).toBeGreaterThanOrEqual(1);
    const sum = series(during, 'ai_agent_playout_start_delay_seconds_sum');
    expect(sum).toBeGreaterThan(0);
    expect(sum / starts).toBeLessThan(1);
    call.hangup();
    await sim.waitFor(() => agent.controller.sessions.size === 0, 5_000, 'session ended');
    expect(series(await scrape(h), 'ai_agent_rtp_packets_in_total')).toBeGreaterThanOrEqual(inDuring);
  });
});
