import { describe, expect, it } from 'vitest';
import { MediaClock, type MediaClockOptions } from '../../src/media/MediaClock.js';
import { Pacer, type PacerSendInfo } from '../../src/media/Pacer.js';
import { rng } from '../vad/signals.js';

interface Armed {
  fn: () => void;
  /** Absolute time the underlying timer was armed for (manual time). */
  at: number;
  delayMs: number;
}

/**
 * Manual time and a recording stand-in for the ONE underlying Node timer: the test advances `t` and fires the armed
 * callback itself. Counts any second arm while one is still armed, and any disarm of a handle that is not armed.
 */
function manual(opts: Pick<MediaClockOptions, 'earlyMs' | 'onError'> = {}) {
  const m = {
    t: 0,
    armed: undefined as Armed | undefined,
    arms: 0,
    disarms: 0,
    /** arm() called while another timer was still armed (must stay 0). */
    overlaps: 0,
    /** disarm() of a handle that is not the armed one (must stay 0). */
    strayDisarms: 0,
  };
  const clock = new MediaClock({
    ...opts,
    now: () => m.t,
    arm: (fn, ms) => {
      if (m.armed !== undefined) m.overlaps++;
      m.arms++;
      const a: Armed = { fn, at: m.t + ms, delayMs: ms };
      m.armed = a;
      return a;
    },
    disarm: (h) => {
      m.disarms++;
      if (h !== m.armed) m.strayDisarms++;
      else m.armed = undefined;
    },
  });
  /** Fire the armed timer at its deadline plus offsetMs (negative: early, as libuv may); time never goes back. */
  const fire = (offsetMs = 0): void => {
    const a = m.armed;
    if (a === undefined) throw new Error('nothing armed');
    m.armed = undefined;
    m.t = Math.max(m.t, a.at + offsetMs);
    a.fn();
  };
  /** Fire at each armed deadline until nothing is armed (bounded, so a clock that re-arms forever fails). */
  const drain = (maxFires = 10_000): number => {
    let fires = 0;
    while (m.armed !== undefined) {
      if (++fires > maxFires) throw new Error('clock never went quiet');
      fire();
    }
    return fires;
  };
  const expectOneTimer = (): void => {
    expect(m.overlaps).toBe(0);
    expect(m.strayDisarms).toBe(0);
  };
  return { m, clock, fire, drain, expectOneTimer };
}

describe('MediaClock ordering', () => {
  it('runs callbacks in deadline order, each exactly once', () => {
    const { m, clock, drain, expectOneTimer } = manual();
    const log: Array<[string, number]> = [];
    clock.setTimer(() => log.push(['c', m.t]), 30);
    clock.setTimer(() => log.push(['a', m.t]), 10);
    clock.setTimer(() => log.push(['b', m.t]), 20);
    expect(clock.pending).toBe(3);
    drain();
    expect(log).toEqual([['a', 10], ['b', 20], ['c', 30]]);
    expect(clock.pending).toBe(0);
    m.t = 1000;
    clock.poll();
    clock.runDue();
    expect(log).toHaveLength(3);
    expectOneTimer();
  });

  it('runs entries due within the default 0.5 ms earlyMs in the same wake-up; later ones wait', () => {
    const { m, clock, fire, expectOneTimer } = manual();
    const log: string[] = [];
    clock.setTimer(() => log.push('10.6'), 10.6);
    clock.setTimer(() => log.push('10.5'), 10.5);
    clock.setTimer(() => log.push('10'), 10);
    clock.setTimer(() => log.push('10.4'), 10.4);
    fire();
    expect(m.t).toBe(10);
    expect(log).toEqual(['10', '10.4', '10.5']);
    expect(clock.pending).toBe(1);
    expect(m.armed?.at).toBeCloseTo(10.6, 9);
    fire();
    expect(log).toEqual(['10', '10.4', '10.5', '10.6']);
    expectOneTimer();
  });

  it('honours a custom earlyMs', () => {
    const { clock, fire } = manual({ earlyMs: 2 });
    const log: number[] = [];
    for (const ms of [10, 11.9, 12, 12.1]) clock.setTimer(() => log.push(ms), ms);
    fire();
    expect(log).toEqual([10, 11.9, 12]);
    expect(clock.pending).toBe(1);
  });
});

describe('MediaClock underlying timer', () => {
  it('is armed for the earliest deadline; an earlier entry re-arms it, a later one does not', () => {
    const { m, clock, expectOneTimer } = manual();
    m.t = 100;
    clock.setTimer(() => undefined, 50);
    expect(m.arms).toBe(1);
    expect(m.armed).toMatchObject({ at: 150, delayMs: 50 });
    clock.setTimer(() => undefined, 80);
    expect(m.arms).toBe(1);
    expect(m.armed?.at).toBe(150);
    clock.setTimer(() => undefined, 20);
    expect(m.arms).toBe(2);
    expect(m.disarms).toBe(1);
    expect(m.armed).toMatchObject({ at: 120, delayMs: 20 });
    clock.setTimer(() => undefined, 20); // same deadline: no re-arm
    expect(m.arms).toBe(2);
    expectOneTimer();
  });

  it('after a wake-up, is re-armed for the next live deadline', () => {
    const { m, clock, fire, expectOneTimer } = manual();
    clock.setTimer(() => undefined, 10);
    const dead = clock.setTimer(() => undefined, 15);
    clock.setTimer(() => undefined, 25);
    clock.clearTimer(dead);
    fire();
    expect(m.armed).toMatchObject({ at: 25, delayMs: 15 });
    expectOneTimer();
  });
});

describe('MediaClock cancelling', () => {
  it('clearTimer prevents a run', () => {
    const { clock, drain, expectOneTimer } = manual();
    const log: string[] = [];
    const a = clock.setTimer(() => log.push('a'), 10);
    clock.setTimer(() => log.push('b'), 20);
    clock.clearTimer(a);
    expect(clock.pending).toBe(1);
    drain();
    expect(log).toEqual(['b']);
    expectOneTimer();
  });

  it('clearing twice, clearing after the run, or clearing undefined changes nothing', () => {
    const { m, clock, fire } = manual();
    const log: string[] = [];
    const a = clock.setTimer(() => log.push('a'), 10);
    const b = clock.setTimer(() => log.push('b'), 20);
    clock.setTimer(() => log.push('c'), 30);
    clock.clearTimer(b);
    clock.clearTimer(b);
    clock.clearTimer(undefined);
    expect(clock.pending).toBe(2);
    fire();
    clock.clearTimer(a); // already ran
    expect(clock.pending).toBe(1);
    expect(m.armed?.at).toBe(30); // b, dead, is not waited for
    fire();
    expect(log).toEqual(['a', 'c']);
    expect(clock.pending).toBe(0);
  });

  it('clearing the last live entry disarms the underlying timer (nothing left to keep a loop alive)', () => {
    const { m, clock, expectOneTimer } = manual();
    const hs = [30, 10, 20].map((ms) => clock.setTimer(() => undefined, ms));
    expect(m.armed).toBeDefined();
    clock.clearTimer(hs[1]);
    clock.clearTimer(hs[0]);
    expect(m.armed).toBeDefined();
    expect(clock.pending).toBe(1);
    clock.clearTimer(hs[2]);
    expect(clock.pending).toBe(0);
    expect(m.armed).toBeUndefined();
    // and the clock still works afterwards
    const log: number[] = [];
    clock.setTimer(() => log.push(m.t), 5);
    expect(m.armed).toMatchObject({ at: 5 });
    expectOneTimer();
  });

  it('a callback that clears the last other entry leaves nothing armed after the run', () => {
    const { m, clock, fire, expectOneTimer } = manual();
    const log: string[] = [];
    let later: unknown;
    clock.setTimer(() => {
      log.push('first');
      clock.clearTimer(later);
    }, 10);
    later = clock.setTimer(() => log.push('later'), 40);
    fire();
    expect(log).toEqual(['first']);
    expect(clock.pending).toBe(0);
    expect(m.armed).toBeUndefined();
    expectOneTimer();
  });

  it('a callback can cancel another entry due in the same wake-up', () => {
    const { clock, fire } = manual();
    const log: string[] = [];
    let victim: unknown;
    clock.setTimer(() => {
      log.push('killer');
      clock.clearTimer(victim);
    }, 10);
    victim = clock.setTimer(() => log.push('victim'), 10.2);
    clock.setTimer(() => log.push('bystander'), 10.3);
    fire();
    expect(log).toEqual(['killer', 'bystander']);
    expect(clock.pending).toBe(0);
  });
});

describe('MediaClock re-entrancy and errors', () => {
  it('a callback that sets a 0 ms timer during a run does not loop inside the run; it runs at the next wake-up', () => {
    const { m, clock, fire, expectOneTimer } = manual();
    let runs = 0;
    const again = (): void => {
      runs++;
      if (runs < 5) clock.setTimer(again, 0);
    };
    clock.setTimer(again, 10);
    fire();
    expect(runs).toBe(1);
    expect(clock.pending).toBe(1);
    // armed again, soon: about as soon as setTimeout(fn, 0) would be
    expect(m.armed).toBeDefined();
    expect(m.armed!.delayMs).toBeGreaterThan(0);
    expect(m.armed!.delayMs).toBeLessThanOrEqual(1);
    fire();
    expect(runs).toBe(2);
    expect(m.t).toBeLessThanOrEqual(11);
    let fires = 2;
    while (m.armed !== undefined && fires < 100) {
      fire();
      fires++;
    }
    expect(runs).toBe(5);
    expect(fires).toBe(5);
    expect(clock.pending).toBe(0);
    expectOneTimer();
  });

  it('a 0 ms timer set from a run of several entries waits even if later entries of that run are due', () => {
    const { clock, fire } = manual();
    const log: string[] = [];
    clock.setTimer(() => {
      log.push('a');
      clock.setTimer(() => log.push('child'), 0);
    }, 10);
    clock.setTimer(() => log.push('b'), 10.4);
    fire();
    expect(log).toEqual(['a', 'b']);
    fire();
    expect(log).toEqual(['a', 'b', 'child']);
  });

  it('a throwing callback is reported to onError and the others still run', () => {
    const errors: unknown[] = [];
    const { m, clock, fire, expectOneTimer } = manual({ onError: (e) => errors.push(e) });
    const log: string[] = [];
    const boom = new Error('boom');
    clock.setTimer(() => log.push('before'), 10);
    clock.setTimer(() => {
      throw boom;
    }, 10.1);
    clock.setTimer(() => log.push('after'), 10.2);
    clock.setTimer(() => log.push('next wake-up'), 30);
    expect(() => fire()).not.toThrow();
    expect(errors).toEqual([boom]);
    expect(log).toEqual(['before', 'after']);
    expect(m.armed?.at).toBeCloseTo(30, 9);
    fire();
    expect(log).toEqual(['before', 'after', 'next wake-up']);
    expect(clock.pending).toBe(0);
    expectOneTimer();
  });

  it('without onError a throwing callback is swallowed, not propagated', () => {
    const { clock, fire } = manual();
    const log: string[] = [];
    clock.setTimer(() => {
      throw new Error('x');
    }, 1);
    clock.setTimer(() => log.push('ok'), 1);
    expect(() => fire()).not.toThrow();
    expect(log).toEqual(['ok']);
  });

  it('a delay that is not a number runs like 0 ms and does not stall every other timer', () => {
    const { m, clock, drain } = manual();
    const log: string[] = [];
    clock.setTimer(() => log.push('nan'), Number.NaN);
    clock.setTimer(() => log.push('a'), 10);
    clock.setTimer(() => log.push('b'), 20);
    drain();
    expect(log).toEqual(['nan', 'a', 'b']);
    expect(clock.pending).toBe(0);
    expect(m.armed).toBeUndefined();
  });
});

describe('MediaClock poll', () => {
  it('does nothing when nothing is due (no run, no re-arm)', () => {
    const { m, clock } = manual();
    clock.poll(); // empty
    expect(m.arms).toBe(0);
    let ran = 0;
    clock.setTimer(() => ran++, 10);
    m.t = 9.4;
    clock.poll();
    expect(ran).toBe(0);
    expect(m.arms).toBe(1);
    expect(m.disarms).toBe(0);
    expect(clock.pending).toBe(1);
  });

  it('runs due entries from outside the timer; the armed timer firing later finds nothing due and re-arms for the next deadline', () => {
    const { m, clock, fire, expectOneTimer } = manual();
    const log: Array<[string, number]> = [];
    clock.setTimer(() => log.push(['a', m.t]), 10);
    clock.setTimer(() => log.push(['b', m.t]), 30);
    m.t = 9.6; // within earlyMs of a
    clock.poll();
    expect(log).toEqual([['a', 9.6]]);
    expect(clock.pending).toBe(1);
    // the timer armed for a is still there (it is before b: it may only be early, never late)
    expect(m.armed?.at).toBe(10);
    fire();
    expect(log).toEqual([['a', 9.6]]);
    expect(m.armed).toMatchObject({ at: 30, delayMs: 20 });
    fire();
    expect(log).toEqual([['a', 9.6], ['b', 30]]);
    expect(m.armed).toBeUndefined();
    expectOneTimer();
  });

  it('a poll that runs the last entry disarms the underlying timer', () => {
    const { m, clock } = manual();
    clock.setTimer(() => undefined, 10);
    m.t = 12;
    clock.poll();
    expect(clock.pending).toBe(0);
    expect(m.armed).toBeUndefined();
  });

  it('poll from inside a callback does not run other entries nested inside it; they run after it, same wake-up', () => {
    const { m, clock, fire } = manual();
    const log: string[] = [];
    clock.setTimer(() => {
      log.push('a start');
      m.t = 20; // a slow callback: b is now due
      clock.poll();
      log.push('a end');
    }, 10);
    clock.setTimer(() => log.push('b'), 15);
    fire();
    expect(log).toEqual(['a start', 'a end', 'b']); // b fell due while a ran: not nested, not left for a later timer
    expect(m.armed).toBeUndefined();
  });

  it('runs what falls due while a wake-up runs in the same wake-up, not a timer later', () => {
    const { m, clock, fire, expectOneTimer } = manual();
    const ran: Array<[number, number]> = [];
    // each callback takes 0.3 ms, as a hundred sends do at 300 calls
    for (const at of [10, 10.4, 10.9, 11.2, 13]) {
      clock.setTimer(() => {
        ran.push([at, m.t]);
        m.t += 0.3;
      }, at);
    }
    fire();
    expect(ran.map(([at]) => at)).toEqual([10, 10.4, 10.9, 11.2]);
    expect(ran.every(([at, t]) => t - at <= 0.5)).toBe(true); // none later than this wake-up's own work made it
    expect(m.armed!.at).toBe(13);
    fire();
    expect(ran).toHaveLength(5);
    expectOneTimer();
  });

  it('a callback that keeps setting 0 ms timers while time moves gets a bounded number of passes per wake-up', () => {
    const { m, clock, fire } = manual();
    let runs = 0;
    const again = (): void => {
      runs++;
      m.t += 1; // time moves, so each new entry is due by the next pass
      clock.setTimer(again, 0);
    };
    clock.setTimer(again, 10);
    fire();
    expect(runs).toBeGreaterThan(1);
    expect(runs).toBeLessThanOrEqual(8);
    expect(m.armed).toBeDefined(); // the rest waits for the next wake-up: I/O gets its turn
  });

  it('the armed timer firing early (beyond earlyMs) runs nothing and re-arms for the same deadline', () => {
    const { m, clock, fire, expectOneTimer } = manual();
    let ran = 0;
    clock.setTimer(() => ran++, 20);
    fire(-0.9); // libuv's whole-ms clock can fire up to 1 ms early
    expect(ran).toBe(0);
    expect(m.armed?.at).toBeCloseTo(20, 9);
    expect(m.armed?.delayMs).toBeCloseTo(0.9, 9);
    fire();
    expect(ran).toBe(1);
    expectOneTimer();
  });
});

describe('MediaClock driving the real Pacer', () => {
  const FRAME = 160;

  function pacerOn(clock: MediaClock, now: () => number) {
    const sent: Array<{ at: number; info: PacerSendInfo }> = [];
    const pacer = new Pacer({ frameBytes: FRAME, clock, send: (_f, info) => sent.push({ at: now(), info }) });
    return { pacer, sent };
  }

  it('sends 1 s of audio as 50 frames, each at its 20 ms deadline, and leaves nothing armed', () => {
    const { m, clock, fire, expectOneTimer } = manual();
    const { pacer, sent } = pacerOn(clock, () => m.t);
    m.t = 1000;
    pacer.write(Buffer.alloc(50 * FRAME, 0x11), { responseId: 'r', itemId: 'i' });
    pacer.endOfItem('i');
    // wake-ups come at the deadline or a little early (as libuv's ms clock does), never more than 1 ms
    const offsets = [0, -0.3, -0.9, -0.5, -0.1, -1, 0];
    let k = 0;
    let fires = 0;
    while (m.armed !== undefined && fires < 1000) {
      fire(offsets[k++ % offsets.length]);
      fires++;
    }
    expect(sent).toHaveLength(50);
    sent.forEach((s, i) => {
      const deadline = 1000 + i * 20;
      expect(s.at).toBeLessThanOrEqual(deadline);
      expect(s.at).toBeGreaterThanOrEqual(deadline - 0.5);
    });
    expect(sent[0]!.info.marker).toBe(true);
    expect(sent.slice(1).every((s) => !s.info.marker)).toBe(true);
    expect(pacer.stats).toMatchObject({ framesSent: 50, underruns: 0, resyncs: 0 });
    expect(pacer.isPlaying).toBe(false);
    expect(clock.pending).toBe(0);
    expect(m.armed).toBeUndefined();
    expectOneTimer();
  });

  it('Pacer.clear() stops further sends and disarms the underlying timer', () => {
    const { m, clock, fire, expectOneTimer } = manual();
    const { pacer, sent } = pacerOn(clock, () => m.t);
    pacer.write(Buffer.alloc(50 * FRAME, 0x11), { responseId: 'r', itemId: 'i' });
    for (let i = 0; i < 9; i++) fire();
    expect(sent).toHaveLength(10);
    const played = pacer.clear();
    expect(played).toEqual([{ itemId: 'i', responseId: 'r', playedMs: 200 }]);
    expect(clock.pending).toBe(0);
    expect(m.armed).toBeUndefined();
    m.t += 10_000;
    clock.poll();
    expect(sent).toHaveLength(10);
    expectOneTimer();
  });

  it('three pacers on one clock share one underlying timer and each keeps its own 20 ms grid', () => {
    const { m, clock, drain, expectOneTimer } = manual();
    const starts = [0, 7, 13.3];
    const pacers = starts.map(() => pacerOn(clock, () => m.t));
    starts.forEach((start, i) => {
      m.t = start;
      pacers[i]!.pacer.write(Buffer.alloc(25 * FRAME), { responseId: 'r', itemId: `i${i}` });
    });
    drain();
    pacers.forEach(({ sent }, i) => {
      expect(sent).toHaveLength(25);
      sent.forEach((s, k) => expect(Math.abs(s.at - (starts[i]! + k * 20))).toBeLessThanOrEqual(0.5));
    });
    expect(clock.pending).toBe(0);
    expectOneTimer();
  });
});

describe('MediaClock heap against a reference model', () => {
  /** Seeded, so a failure reproduces. */
  const prng = rng;

  /** What timer `id` does when it runs, fixed by its id: maybe cancel an older timer, maybe set a child timer. */
  function actionOf(id: number): { clearId?: number; childMs?: number } {
    const r = prng(id * 7919 + 13);
    const out: { clearId?: number; childMs?: number } = {};
    if (id > 1 && r() < 0.3) out.clearId = 1 + Math.floor(r() * (id - 1));
    // > earlyMs, so no child lands inside the wake-up that made it (and deadlines stay distinct)
    if (r() < 0.3) out.childMs = 1 + r() * 40;
    return out;
  }

  interface ModelEntry {
    id: number;
    at: number;
    dead: boolean;
  }

  it.each([1, 2, 3])('1000 random setTimer/clearTimer/fire/poll steps run in the same order as a naive model (seed %i)', (seed) => {
    const EARLY = 0.5;
    const { m, clock, fire, expectOneTimer } = manual();
    const rnd = prng(seed);

    // the clock under test
    const realLog: number[] = [];
    const handles = new Map<number, unknown>();
    let realNext = 0;
    const setReal = (ms: number): number => {
      const id = ++realNext;
      handles.set(
        id,
        clock.setTimer(() => {
          realLog.push(id);
          const act = actionOf(id);
          if (act.clearId !== undefined) clock.clearTimer(handles.get(act.clearId));
          if (act.childMs !== undefined) setReal(act.childMs);
        }, ms),
      );
      return id;
    };

    // the naive model: a list, scanned and sorted
    const modelLog: number[] = [];
    const entries = new Map<number, ModelEntry>();
    let modelNext = 0;
    const setModel = (ms: number): number => {
      const id = ++modelNext;
      entries.set(id, { id, at: m.t + ms, dead: false });
      return id;
    };
    const runModel = (): void => {
      const horizon = m.t + EARLY;
      const due = [...entries.values()].filter((e) => !e.dead && e.at <= horizon).sort((x, y) => x.at - y.at);
      for (const e of due) {
        if (e.dead) continue; // cancelled by an earlier callback of this wake-up
        e.dead = true;
        modelLog.push(e.id);
        const act = actionOf(e.id);
        if (act.clearId !== undefined) entries.get(act.clearId)!.dead = true;
        if (act.childMs !== undefined) setModel(act.childMs);
      }
    };
    const live = () => [...entries.values()].filter((e) => !e.dead);

    const check = (step: number): void => {
      const l = live();
      if (clock.pending !== l.length) throw new Error(`step ${step}: pending ${clock.pending}, model ${l.length}`);
      if (l.length === 0) {
        if (m.armed !== undefined) throw new Error(`step ${step}: armed with nothing pending`);
      } else {
        const earliest = Math.min(...l.map((e) => e.at));
        if (m.armed === undefined) throw new Error(`step ${step}: ${l.length} pending, nothing armed`);
        if (m.armed.at > earliest + 1e-9) throw new Error(`step ${step}: armed for ${m.armed.at}, next deadline ${earliest}`);
      }
    };

    let sets = 0;
    let clears = 0;
    for (let step = 0; step < 1000; step++) {
      const r = rnd();
      if (r < 0.45) {
        const ms = rnd() * 50;
        const a = setReal(ms);
        const b = setModel(ms);
        expect(a).toBe(b);
        sets++;
      } else if (r < 0.7) {
        if (realNext > 0) {
          const id = 1 + Math.floor(rnd() * realNext);
          clock.clearTimer(handles.get(id));
          entries.get(id)!.dead = true;
          clears++;
        }
      } else if (r < 0.9) {
        if (m.armed !== undefined) {
          fire(rnd() * 1.5 - 1); // from 1 ms early to 0.5 ms late
          runModel();
        }
      } else {
        m.t += rnd() * 10;
        clock.poll();
        runModel();
      }
      check(step);
    }
    // drain what is left
    let fires = 0;
    while (m.armed !== undefined && fires++ < 10_000) {
      fire();
      runModel();
      check(1000 + fires);
    }

    expect(realLog).toEqual(modelLog);
    expect(clock.pending).toBe(0);
    expect(live()).toHaveLength(0);
    expect(m.armed).toBeUndefined();
    expectOneTimer();
    // the run exercised something real
    expect(sets).toBeGreaterThan(350);
    expect(clears).toBeGreaterThan(150);
    expect(modelLog.length).toBeGreaterThan(300);
  });
});
