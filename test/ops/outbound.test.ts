import { afterEach, describe, expect, it } from 'vitest';
import type { OutboundStatus } from '../../src/ops/Outbound.js';
import { startOpsHarness, type OpsHarness } from './opsHarness.js';

async function placeCall(h: OpsHarness, body: Record<string, unknown>): Promise<string> {
  const r = await h.fetchJson('/calls', { method: 'POST', body: JSON.stringify(body) });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  expect(r.body.id).toMatch(/^aiav-out-/);
  expect(r.body.status_url).toBe(`/calls/${r.body.id}`);
  return r.body.id as string;
}

async function waitForState(h: OpsHarness, id: string, state: OutboundStatus['state']): Promise<OutboundStatus> {
  await h.sim.waitFor(() => h.agent.ops.outboundStatus(id)?.state === state, 5_000, `outbound ${state}`);
  const r = await h.fetchJson(`/calls/${id}`);
  expect(r.status).toBe(200);
  return r.body as OutboundStatus;
}

describe('outbound calls through ARI (POST /calls)', () => {
  let h: OpsHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('originates into our app and starts a session with the context and variables when answered', async () => {
    h = await startOpsHarness({ overrides: { outbound: { caller_id: '"Acme" <5550100>', ring_timeout_s: 20 } } });
    const { sim, agent } = h;
    sim.setEndpointBehavior('PJSIP/1001', { answerAfterMs: 50 });
    const id = await placeCall(h, { endpoint: 'PJSIP/1001', context: 'sales', variables: { customer: 'Bob' } });

    const originate = sim.requests.find((r) => r.method === 'POST' && r.path === '/channels');
    expect(originate?.query).toMatchObject({
      endpoint: 'PJSIP/1001',
      app: 'asterisk-ai-voice-agent',
      channelId: id,
      timeout: '20',
      callerId: '"Acme" <5550100>',
    });

    await sim.waitFor(() => agent.controller.sessions.get(id)?.phase === 'active', 5_000, 'outbound session live');
    const session = agent.controller.sessions.get(id)!;
    expect(session.contextName).toBe('sales');
    expect(session.deps.extraVars).toEqual({ customer: 'Bob', AI_CONTEXT: 'sales' });
    const status = await waitForState(h, id, 'answered');
    expect(status).toMatchObject({ id, context: 'sales', amd: false, state: 'answered' });
    expect(status.answeredAt).toEqual(expect.any(String));
    expect(await agent.ops.metrics.valueOf('outbound_calls_total', { result: 'answered' })).toBe(1);

    // The agent ends the call: the status records when and how the channel went.
    await session.end('agent_hangup');
    await sim.waitFor(() => agent.ops.outboundStatus(id)?.endedAt !== undefined, 5_000, 'end recorded');
    expect(agent.ops.outboundStatus(id)).toMatchObject({ state: 'answered', cause: expect.any(Number) });
  });

  it('reports busy (cause 17) and starts no session', async () => {
    h = await startOpsHarness();
    h.sim.setEndpointBehavior('PJSIP/2002', { busyAfterMs: 50 });
    const id = await placeCall(h, { endpoint: 'PJSIP/2002', context: 'default' });
    const status = await waitForState(h, id, 'busy');
    expect(status).toMatchObject({ state: 'busy', cause: 17 });
    expect(status.endedAt).toEqual(expect.any(String));
    expect(h.agent.controller.sessions.size).toBe(0);
    expect(await h.agent.ops.metrics.valueOf('outbound_calls_total', { result: 'busy' })).toBe(1);
  });

  it('reports no answer (cause 19) when the ring timeout passes', async () => {
    h = await startOpsHarness();
    h.sim.setEndpointBehavior('PJSIP/3003', { noAnswer: true, afterMs: 100 });
    const id = await placeCall(h, { endpoint: 'PJSIP/3003', context: 'default' });
    const status = await waitForState(h, id, 'no_answer');
    expect(status).toMatchObject({ state: 'no_answer', cause: 19 });
    expect(h.agent.controller.sessions.size).toBe(0);
    expect(await h.agent.ops.metrics.valueOf('outbound_calls_total', { result: 'no_answer' })).toBe(1);
  });

  it('answers 503 without touching Asterisk when ARI is down', async () => {
    h = await startOpsHarness();
    const { sim, agent } = h;
    await sim.stopHttp();
    await sim.waitFor(() => agent.ari.state !== 'connected', 5_000, 'ARI down');
    const r = await h.fetchJson('/calls', { method: 'POST', body: JSON.stringify({ endpoint: 'PJSIP/1001', context: 'default' }) });
    expect(r.status).toBe(503);
    expect(r.body.error).toBe('ari_unavailable');
    await sim.startHttp();
  });

  it('with AMD configured, originates into the AMD dialplan context instead of the app', async () => {
    h = await startOpsHarness({ overrides: { outbound: { amd_context: 'ai-agent-outbound-amd' } } });
    const id = await placeCall(h, { endpoint: 'PJSIP/1001', context: 'default' });
    const originate = h.sim.requests.find((r) => r.method === 'POST' && r.path === '/channels');
    expect(originate?.query).toMatchObject({ endpoint: 'PJSIP/1001', context: 'ai-agent-outbound-amd', extension: 's', priority: '1', channelId: id });
    expect(originate?.query.app).toBeUndefined();
    // Our app asks for the channel's events (hangup before Stasis = busy / no answer / machine).
    expect(h.sim.requests.some((r) => r.method === 'POST' && r.path === '/applications/asterisk-ai-voice-agent/subscription')).toBe(true);
    expect(h.agent.ops.outboundStatus(id)).toMatchObject({ state: 'dialing', amd: true });
  });
});
