import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { echoSchema, profileSchema } from '../../../src/config/schema.js';
import { EchoProvider } from '../../../src/providers/echo/EchoProvider.js';

const FRAME = Buffer.alloc(160, 0x55);

describe('EchoProvider', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  // Regression: the echo released audio on a 20 ms timer of its own, which drifted against the caller's packet
  // clock and left the pacer empty every few frames (a gap heard each time; thousands of underruns in the bench).
  it('keeps a playout cushion: a 20 ms consumer is never starved although packets arrive with jitter', async () => {
    const echo = new EchoProvider('echo', echoSchema.parse({ delay_ms: 300 }), profileSchema.parse({}));
    const emitted: number[] = [];
    echo.on('audio', () => emitted.push(Date.now()));
    await echo.start({ callId: 'c', instructions: '', greeting: '', tools: [], logger: pino({ level: 'silent' }) });
    const start = Date.now();
    // 10 s of caller packets, each up to 15 ms late (deterministic pseudo-jitter), in order.
    let last = start;
    for (let i = 0; i < 500; i++) {
      const at = Math.max(last, start + 20 * i + ((i * 7919) % 16));
      vi.setSystemTime(at);
      last = at;
      echo.sendAudio(FRAME);
    }
    await echo.close();
    expect(emitted.length).toBeGreaterThan(450);
    const first = emitted[0]!;
    // The first frame comes back after the configured delay plus the cushion (5 frames).
    expect(first - start).toBeGreaterThanOrEqual(300);
    expect(first - start).toBeLessThanOrEqual(300 + 100 + 20);
    // A pacer playing from the first frame needs frame k by first + 20k: every frame is there in time.
    const late = emitted.filter((t, k) => t > first + 20 * k);
    expect(late).toEqual([]);
  });

  it('reports an empty greeting at once (nothing to say) so the gate never waits', async () => {
    const echo = new EchoProvider('echo', echoSchema.parse({}), profileSchema.parse({}));
    const done = vi.fn();
    echo.on('responseDone', done);
    await echo.start({ callId: 'c', instructions: '', greeting: 'ignored', tools: [], logger: pino({ level: 'silent' }) });
    expect(done).toHaveBeenCalledWith(expect.objectContaining({ greeting: true, hadAudio: false }));
    await echo.close();
  });
});
