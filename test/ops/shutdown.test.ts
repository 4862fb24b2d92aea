import { EventEmitter } from 'node:events';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { installSignalHandlers } from '../../src/ops/shutdown.js';
import { startOpsHarness, type OpsHarness } from './opsHarness.js';

const silent = pino({ level: 'silent' });

describe('graceful shutdown with calls in progress', () => {
  let h: OpsHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('sends new calls back to the dialplan, ends the active one at the drain timeout, flushes, then stops', async () => {
    h = await startOpsHarness();
    const { sim, agent } = h;
    const active = sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => sim.channels.get(active.id)?.state === 'Up', 5_000, 'first call answered');

    const flushed: string[] = [];
    const done = agent.ops.shutdown({
      drainTimeoutMs: 600,
      flushers: [async () => void flushed.push('records'), async () => void flushed.push('email spool')],
    });

    // Draining: readiness says so at once and a new caller goes on in the dialplan (next priority).
    const ready = await h.fetchJson('/ready', { token: null });
    expect(ready.status).toBe(503);
    expect(ready.body.reason).toMatch(/^draining/);
    const late = sim.placeCall({ variables: { AI_CONTEXT: 'default' }, context: 'from-ai-agent', priority: 4 });
    await sim.waitFor(() => late.continuedTo !== null, 5_000, 'late call sent back');
    expect(late.continuedTo).toEqual({ context: 'from-ai-agent', extension: 's', priority: 5 });
    expect(agent.controller.sessions.has(late.id)).toBe(false);
    // Outbound calls are refused while draining.
    const out = await h.fetchJson('/calls', { method: 'POST', body: JSON.stringify({ endpoint: 'PJSIP/1001', context: 'default' }) });
    expect(out.status).toBe(503);
    expect(out.body.error).toBe('draining');
    // The active call is still up before the timeout.
    expect(active.hungUp).toBe(false);
    expect(agent.controller.activeCalls).toBe(1);

    const report = await done;
    expect(report).toEqual({ endedAtTimeout: 1, flushFailures: 0 });
    expect(active.hungUp).toBe(true);
    expect(agent.controller.activeCalls).toBe(0);
    expect(flushed).toEqual(['records', 'email spool']);
    expect(agent.ari.state).toBe('stopped');
    const deletes = sim.requests.filter((r) => r.method === 'DELETE').map((r) => r.path);
    expect(deletes).toContain(`/channels/${active.id}`);
  });

  it('stops without waiting when the calls finish before the timeout', async () => {
    h = await startOpsHarness();
    const { sim, agent } = h;
    const call = sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => sim.channels.get(call.id)?.state === 'Up', 5_000, 'answered');
    const started = Date.now();
    const done = agent.ops.shutdown({ drainTimeoutMs: 20_000 });
    call.hangup();
    expect(await done).toEqual({ endedAtTimeout: 0, flushFailures: 0 });
    // Generous bound: far below the 20 s drain timeout.
    expect(Date.now() - started).toBeLessThan(10_000);
    // The caller hung up: we never hung them up ourselves.
    expect(sim.requests.some((r) => r.method === 'DELETE' && r.path === `/channels/${call.id}`)).toBe(false);
  });

  it('reports a failing flusher and still stops', async () => {
    h = await startOpsHarness();
    const order: string[] = [];
    const report = await h.agent.ops.shutdown({
      drainTimeoutMs: 0,
      flushers: [
        async () => {
          throw new Error('disk full');
        },
        async () => void order.push('email spool'),
      ],
    });
    expect(report.flushFailures).toBe(1);
    expect(order).toEqual(['email spool']);
    expect(h.agent.ari.state).toBe('stopped');
  });
});

describe('signal handlers', () => {
  function fakeProcess(): EventEmitter & { on: NodeJS.Process['on']; off: NodeJS.Process['off'] } {
    return new EventEmitter() as EventEmitter & { on: NodeJS.Process['on']; off: NodeJS.Process['off'] };
  }

  it('runs the graceful shutdown on SIGTERM and exits 0; a second signal exits 1 at once', async () => {
    const proc = fakeProcess();
    const exits: number[] = [];
    let release: () => void = () => undefined;
    const signals: string[] = [];
    const uninstall = installSignalHandlers({
      proc,
      logger: silent,
      exit: (code) => exits.push(code),
      shutdown: (signal) => {
        signals.push(signal);
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
      reload: async () => undefined,
    });
    proc.emit('SIGTERM', 'SIGTERM');
    expect(signals).toEqual(['SIGTERM']);
    expect(exits).toEqual([]);
    proc.emit('SIGINT', 'SIGINT');
    expect(exits).toEqual([1]);
    release();
    await new Promise((r) => setImmediate(r));
    expect(exits).toEqual([1, 0]);
    expect(signals).toEqual(['SIGTERM']);
    uninstall();
    expect(proc.listenerCount('SIGTERM') + proc.listenerCount('SIGINT') + proc.listenerCount('SIGHUP')).toBe(0);
  });

  it('reloads on SIGHUP and exits 1 when the shutdown itself fails', async () => {
    const proc = fakeProcess();
    const exits: number[] = [];
    let reloads = 0;
    installSignalHandlers({
      proc,
      logger: silent,
      exit: (code) => exits.push(code),
      shutdown: async () => {
        throw new Error('boom');
      },
      reload: async () => {
        reloads++;
      },
    });
    proc.emit('SIGHUP', 'SIGHUP');
    proc.emit('SIGHUP', 'SIGHUP');
    expect(reloads).toBe(2);
    proc.emit('SIGINT', 'SIGINT');
    await new Promise((r) => setImmediate(r));
    expect(exits).toEqual([1]);
  });
});
