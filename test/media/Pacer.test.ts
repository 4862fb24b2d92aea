import { describe, expect, it } from 'vitest';
import { BlockPool } from '../../src/media/BlockChunker.js';
import { Pacer, type PacerSendInfo } from '../../src/media/Pacer.js';
import { FakeClock } from './fakeClock.js';

const FRAME = 160;
const tagA = { responseId: 'resp_1', itemId: 'item_A' };
const tagB = { responseId: 'resp_1', itemId: 'item_B' };

function setup(opts: { silenceByte?: number; onSend?: (p: Pacer) => void } = {}) {
  const clock = new FakeClock();
  const sent: Array<{ at: number; frame: Buffer; info: PacerSendInfo }> = [];
  const pacer: Pacer = new Pacer({
    frameBytes: FRAME,
    silenceByte: opts.silenceByte ?? 0xff,
    clock,
    send: (frame, info) => {
      sent.push({ at: clock.now(), frame: Buffer.from(frame), info });
      opts.onSend?.(pacer);
    },
  });
  return { clock, sent, pacer };
}

const audio = (ms: number, byte = 0x11) => Buffer.alloc((ms / 20) * FRAME, byte);

describe('Pacer queue memory', () => {
  it('gives every block back to its pool once the items are played, partial last blocks included', () => {
    const clock = new FakeClock();
    const blocks = new BlockPool(1_000);
    const pacer = new Pacer({ frameBytes: FRAME, clock, blocks, send: () => undefined });
    for (const [i, bytes] of [2_500, 1_700, 333].entries()) {
      const tag = { responseId: 'resp_1', itemId: `item_${i}` };
      pacer.write(Buffer.alloc(bytes, 0x11), tag);
      pacer.endOfItem(tag.itemId);
    }
    clock.advance(2_000);
    expect(pacer.isPlaying).toBe(false);
    expect(blocks.created).toBeGreaterThan(0);
    expect(blocks.idle).toBe(blocks.created);
  });
});

describe('Pacer timing', () => {
  it('sends the first frame at once with the marker set', () => {
    const { clock, sent, pacer } = setup();
    clock.t = 1000;
    pacer.write(audio(60), tagA);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ at: 1000, info: { marker: true, idleMs: 0 } });
    expect(pacer.isPlaying).toBe(true);
    clock.advance(40);
    expect(sent.map((s) => [s.at, s.info.marker])).toEqual([[1000, true], [1020, false], [1040, false]]);
  });

  it('does not drift over 10 000 frames', () => {
    const { clock, sent, pacer } = setup();
    pacer.write(audio(200_000), tagA);
    clock.advance(200_000);
    expect(sent).toHaveLength(10_000);
    for (let k = 0; k < sent.length; k++) if (sent[k]!.at !== k * 20) throw new Error(`frame ${k} at ${sent[k]!.at}`);
    expect(pacer.stats.framesSent).toBe(10_000);
  });

  it('keeps absolute deadlines when timers fire late (jitter does not accumulate)', () => {
    const { clock, sent, pacer } = setup();
    let seed = 1;
    clock.lateness = () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 80) / 10; // 0..7.9 ms late
    pacer.write(audio(200_000), tagA);
    clock.advance(200_010);
    expect(sent).toHaveLength(10_000);
    for (let k = 0; k < sent.length; k++) {
      const lag = sent[k]!.at - k * 20;
      if (lag < 0 || lag >= 8) throw new Error(`frame ${k} lag ${lag}`);
    }
    expect(pacer.stats.resyncs).toBe(0);
  });

  it('resyncs instead of bursting when the loop stalls for several frames', () => {
    const { clock, sent, pacer } = setup();
    pacer.write(audio(1000), tagA);
    clock.advance(40); // frames at 0, 20, 40; the timer for 60 is already armed
    let stalled = true;
    clock.lateness = () => (stalled ? ((stalled = false), 200) : 0); // the timer armed at 60 (for 80) fires at 280
    clock.advance(340);
    const atStall = sent.filter((s) => s.at === 280);
    expect(atStall).toHaveLength(1); // one frame, not a 10-frame burst
    expect(atStall[0]!.info).toEqual({ marker: false, idleMs: 200 });
    expect(pacer.stats.resyncs).toBe(1);
    expect(sent.filter((s) => s.at > 280).map((s) => s.at - 280)).toEqual([20, 40, 60, 80, 100]);
  });

  it('marks the start of each talkspurt and reports the idle time', () => {
    const { clock, sent, pacer } = setup();
    pacer.write(audio(40), tagA);
    pacer.endOfItem('item_A');
    clock.advance(40); // frames at 0 and 20; at 40 the queue is found empty
    expect(pacer.isPlaying).toBe(false);
    clock.advance(500);
    pacer.write(audio(40), tagB);
    expect(sent.map((s) => [s.at, s.info.marker, s.info.idleMs])).toEqual([
      [0, true, 0],
      [20, false, 0],
      [540, true, 500],
    ]);
  });

  it('keeps frames at least one frame apart when audio resumes right after a clear', () => {
    const { clock, sent, pacer } = setup();
    pacer.write(audio(100), tagA);
    clock.advance(5);
    pacer.clear();
    pacer.write(audio(40), tagB);
    expect(sent).toHaveLength(1);
    clock.advance(15);
    expect(sent.map((s) => [s.at, s.info.marker])).toEqual([[0, true], [20, true]]);
  });
});

describe('Pacer items and barge-in', () => {
  it('pads the last partial frame of an item with silence on endOfItem', () => {
    const { clock, sent, pacer } = setup();
    pacer.write(Buffer.alloc(250, 0x22), tagA);
    clock.advance(100);
    expect(sent).toHaveLength(1);
    pacer.endOfItem('item_A');
    expect(sent).toHaveLength(2);
    const last = sent[1]!.frame;
    expect(last.subarray(0, 90).every((b) => b === 0x22)).toBe(true);
    expect(last.subarray(90).every((b) => b === 0xff)).toBe(true);
    expect(pacer.playedMs('item_A')).toBe(31.25);
  });

  it('re-chunks arbitrary writes into exact frames in order', () => {
    const { clock, sent, pacer } = setup();
    let n = 0;
    for (const len of [1, 77, 500, 3, 159, 260]) {
      const b = Buffer.alloc(len);
      for (let i = 0; i < len; i++) b[i] = (n + i) & 0xff;
      n += len;
      pacer.write(b, tagA);
    }
    pacer.endOfItem('item_A');
    clock.advance(1000);
    const all = Buffer.concat(sent.map((s) => s.frame));
    expect(sent.every((s) => s.frame.length === FRAME)).toBe(true);
    for (let i = 0; i < n; i++) expect(all[i]).toBe(i & 0xff);
    expect(pacer.playedMs('item_A')).toBe((n / FRAME) * 20);
  });

  it('stops within one frame on clear and reports exactly what each item played', () => {
    const { clock, sent, pacer } = setup();
    pacer.write(Buffer.alloc(400, 1), tagA); // 50 ms
    pacer.endOfItem('item_A');
    pacer.write(audio(1000, 2), tagB);
    clock.advance(110); // frames at 0..100: A, A, A(partial 80 B), B, B, B
    expect(sent).toHaveLength(6);
    const played = pacer.clear();
    // item_A was heard to its end: nothing to truncate there. Only item_B was cut.
    expect(played).toEqual([{ itemId: 'item_B', responseId: 'resp_1', playedMs: 60 }]);
    expect(pacer.isPlaying).toBe(false);
    expect(pacer.queuedMs).toBe(0);
    expect(clock.pending).toBe(0);
    clock.advance(1000);
    expect(sent).toHaveLength(6);
    expect(pacer.clear()).toEqual([]); // records start afresh after a clear
  });

  it('does not report an item played out in full (regression: the greeting was "truncated" at its own length on the first barge-in)', () => {
    const { clock, pacer } = setup();
    pacer.write(Buffer.alloc(320, 1), { responseId: 'resp_greet', itemId: 'greeting' });
    pacer.endOfItem('greeting');
    clock.advance(200);
    pacer.write(audio(1000, 2), tagB);
    clock.advance(50);
    expect(pacer.clear().map((p) => p.itemId)).toEqual(['item_B']);
  });

  it('lists items that were queued but never played, with 0 ms', () => {
    const { pacer } = setup();
    pacer.write(Buffer.alloc(100), tagA); // less than a frame, item open: nothing playable yet
    expect(pacer.clear()).toEqual([{ itemId: 'item_A', responseId: 'resp_1', playedMs: 0 }]);
  });

  it('finishes an open item with its padded remainder when the next item starts', () => {
    const { clock, sent, pacer } = setup();
    pacer.write(Buffer.alloc(200, 1), tagA);
    clock.advance(20);
    pacer.write(audio(20, 2), tagB);
    clock.advance(100);
    expect(sent.map((s) => s.frame[0])).toEqual([1, 1, 2]);
    expect(sent[1]!.frame[100]).toBe(0xff);
    expect(pacer.playedMs('item_A')).toBe(25);
  });

  it('counts an underrun when an item runs dry before its end', () => {
    const { clock, sent, pacer } = setup();
    pacer.write(audio(40), tagA);
    clock.advance(100);
    expect(pacer.stats.underruns).toBe(1);
    pacer.write(audio(20), tagA);
    expect(sent.at(-1)!.info.marker).toBe(true);
    pacer.endOfItem('item_A');
    clock.advance(100);
    expect(pacer.stats.underruns).toBe(1);
    expect(pacer.playedMs('item_A')).toBe(60);
  });

  it('names an item on its first frame only: not on later frames, not when it resumes after an underrun', () => {
    const { clock, sent, pacer } = setup();
    pacer.write(audio(40), tagA);
    clock.advance(100); // item A runs dry (underrun)
    pacer.write(audio(20), tagA); // resumes: a new talkspurt, not a new item
    pacer.write(audio(40), tagB);
    pacer.endOfItem('item_A');
    pacer.endOfItem('item_B');
    clock.advance(200);
    expect(sent.map((s) => [s.frame[0], s.info.marker, s.info.itemStart])).toEqual([
      [0x11, true, 'item_A'],
      [0x11, false, undefined],
      [0x11, true, undefined],
      [0x11, false, 'item_B'],
      [0x11, false, undefined],
    ]);
    // After a clear, an item is new again (its record is gone): a re-sent item starts again.
    pacer.clear();
    pacer.write(audio(20), tagA);
    expect(sent.at(-1)!.info.itemStart).toBe('item_A');
  });

  it('reports queued ms including partial frames', () => {
    const { pacer } = setup();
    pacer.write(Buffer.alloc(400), tagA);
    expect(pacer.queuedMs).toBe(30); // 400 B written, one frame (160 B) already sent
  });

  it("survives clear() called from inside send", () => {
    const { clock, sent, pacer } = setup({
      onSend: (p) => {
        if (p.stats.framesSent === 3) p.clear();
      },
    });
    pacer.write(audio(1000), tagA);
    clock.advance(1000);
    expect(sent).toHaveLength(3);
    expect(clock.pending).toBe(0);
    expect(pacer.isPlaying).toBe(false);
  });
});

describe('Pacer waitForPlayout and stop', () => {
  it('resolves when the queue drains, after the last frame has had its time', async () => {
    const { clock, pacer } = setup();
    pacer.write(audio(60), tagA);
    pacer.endOfItem('item_A');
    let result: unknown;
    void pacer.waitForPlayout().then((r) => (result = r));
    clock.advance(40);
    await Promise.resolve();
    expect(result).toBeUndefined();
    clock.advance(20);
    await Promise.resolve();
    expect(result).toEqual({ interrupted: false, playbackPositionMs: 60 });
  });

  it('resolves with interrupted=true on clear', async () => {
    const { clock, pacer } = setup();
    pacer.write(audio(1000), tagA);
    clock.advance(30);
    const p = pacer.waitForPlayout();
    pacer.clear();
    expect(await p).toEqual({ interrupted: true, playbackPositionMs: 40 });
  });

  it('resolves at once when nothing is playing', async () => {
    const { pacer } = setup();
    expect(await pacer.waitForPlayout()).toEqual({ interrupted: false, playbackPositionMs: 0 });
  });

  it('stops for good: no timers left, idempotent, later writes ignored, waiters released', async () => {
    const { clock, sent, pacer } = setup();
    pacer.write(audio(1000), tagA);
    const p = pacer.waitForPlayout();
    pacer.stop();
    pacer.stop();
    expect(clock.pending).toBe(0);
    expect((await p).interrupted).toBe(true);
    pacer.write(audio(100), tagA);
    clock.advance(1000);
    expect(sent).toHaveLength(1);
    expect(pacer.isPlaying).toBe(false);
  });

  it('uses real timers by default and plays a short item', async () => {
    const sent: number[] = [];
    const pacer = new Pacer({ frameBytes: FRAME, send: (f) => sent.push(f.length) });
    pacer.write(audio(60), tagA);
    pacer.endOfItem('item_A');
    const r = await pacer.waitForPlayout();
    expect(r).toEqual({ interrupted: false, playbackPositionMs: 60 });
    expect(sent).toEqual([FRAME, FRAME, FRAME]);
    pacer.stop();
  });
});
