import { afterEach, describe, expect, it } from 'vitest';
import { startOpsHarness, TEST_TOKEN, type OpsHarness } from './opsHarness.js';

describe('the operations HTTP listener', () => {
  let h: OpsHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('answers /live always and flips /ready with the ARI connection', async () => {
    h = await startOpsHarness();
    const { sim, agent } = h;
    expect(await h.fetchJson('/live', { token: null })).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await h.fetchJson('/ready', { token: null })).toEqual({ status: 200, body: { ready: true } });

    await sim.stopHttp();
    await sim.waitFor(() => agent.ari.state !== 'connected', 5_000, 'ARI down');
    const down = await h.fetchJson('/ready', { token: null });
    expect(down.status).toBe(503);
    expect(down.body.ready).toBe(false);
    expect(down.body.reason).toMatch(/^ARI (disconnected|connecting)/);
    expect((await h.fetchJson('/live', { token: null })).status).toBe(200);

    await sim.startHttp();
    await agent.ari.waitConnected(5_000);
    expect((await h.fetchJson('/ready', { token: null })).status).toBe(200);
  });

  it('reports ARI state, calls, providers and version in /health without secrets', async () => {
    h = await startOpsHarness({
      overrides: {
        providers: { openai_realtime: { api_key: 'sk-very-secret-key', enabled: true } },
      },
    });
    const r = await h.fetchJson('/health', { token: null });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      ready: true,
      version: '0.1.0',
      ari: { state: 'connected', app: 'asterisk-ai-voice-agent' },
      active_calls: 0,
      draining: false,
      default_provider: 'echo',
      providers: {
        echo: { kind: 'echo', enabled: true, key_present: true, recent_errors: 0 },
        openai_realtime: { kind: 'realtime', enabled: true, key_present: true, recent_errors: 0 },
      },
    });
    expect(typeof r.body.uptime_s).toBe('number');
    expect(JSON.stringify(r.body)).not.toContain('sk-very-secret');
  });

  it('serves Prometheus text on /metrics with our metric names and no call ids', async () => {
    h = await startOpsHarness();
    const res = await fetch(`${h.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    for (const name of [
      'ai_agent_calls_started_total',
      'ai_agent_calls_ended_total',
      'ai_agent_active_calls',
      'ai_agent_call_duration_seconds',
      'ai_agent_turn_latency_seconds',
      'ai_agent_barge_ins_total',
      'ai_agent_vad_gate_openings_total',
      'ai_agent_rtp_packets_in_total',
      'ai_agent_rtp_packets_out_total',
      'ai_agent_rtp_packets_dropped_total',
      'ai_agent_rtp_packets_late_total',
      'ai_agent_rtp_packets_lost_total',
      'ai_agent_pacer_underruns_total',
      'ai_agent_playout_start_delay_seconds',
      'ai_agent_provider_errors_total',
      'ai_agent_tool_calls_total',
      'ai_agent_emails_total',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toMatch(/^ai_agent_ari_connected 1$/m);
  });

  it('refuses POST endpoints with 403 when no api_token is configured', async () => {
    h = await startOpsHarness({ overrides: { http: { api_token: '' } } });
    const reload = await h.fetchJson('/reload', { method: 'POST', token: 'anything' });
    expect(reload.status).toBe(403);
    expect(reload.body.error).toBe('forbidden');
    const call = await h.fetchJson('/calls', { method: 'POST', token: 'anything', body: JSON.stringify({ endpoint: 'PJSIP/1001', context: 'default' }) });
    expect(call.status).toBe(403);
    expect(h.sim.requests.some((r) => r.method === 'POST' && r.path === '/channels')).toBe(false);
  });

  it('refuses POST endpoints with 401 without the right bearer token', async () => {
    h = await startOpsHarness();
    for (const token of [null, 'wrong', `${TEST_TOKEN}x`, TEST_TOKEN.slice(0, -1)]) {
      const r = await h.fetchJson('/calls', { method: 'POST', token, body: JSON.stringify({ endpoint: 'PJSIP/1001', context: 'default' }) });
      expect(r.status, `token ${String(token)}`).toBe(401);
      expect(r.body.error).toBe('unauthorized');
    }
    expect((await h.fetchJson('/reload', { method: 'POST', token: 'wrong' })).status).toBe(401);
    expect(h.sim.requests.some((r) => r.method === 'POST' && r.path === '/channels')).toBe(false);
  });

  it('validates POST /calls bodies and names unknown contexts', async () => {
    h = await startOpsHarness();
    const bad = await h.fetchJson('/calls', { method: 'POST', body: JSON.stringify({ endpoint: '1001', context: 'default', variables: { 'bad-name': 'x' } }) });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_request');
    expect(bad.body.problems.map((p: { path: string }) => p.path).sort()).toEqual(['endpoint', 'variables.bad-name']);
    const notJson = await h.fetchJson('/calls', { method: 'POST', body: '{nope' });
    expect(notJson.body.error).toBe('invalid_json');
    const ctx = await h.fetchJson('/calls', { method: 'POST', body: JSON.stringify({ endpoint: 'PJSIP/1001', context: 'nosuch' }) });
    expect(ctx.status).toBe(400);
    expect(ctx.body).toMatchObject({ error: 'unknown_context' });
    expect(ctx.body.message).toContain('default, sales');
  });

  it('answers 404 for unknown paths and 405 for the wrong method', async () => {
    h = await startOpsHarness();
    expect((await h.fetchJson('/nope', { token: null })).status).toBe(404);
    expect((await h.fetchJson('/metrics', { method: 'POST', token: null })).status).toBe(405);
    expect((await h.fetchJson('/calls', { method: 'GET' })).status).toBe(405);
    expect((await h.fetchJson('/calls/aiav-out-unknown')).status).toBe(404);
  });
});
