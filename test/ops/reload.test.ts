import { afterEach, describe, expect, it } from 'vitest';
import { merge, startOpsHarness, type OpsHarness } from './opsHarness.js';

describe('configuration reload', () => {
  let h: OpsHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('applies a valid new configuration to new calls while a running call keeps its own', async () => {
    h = await startOpsHarness();
    const { sim, agent } = h;
    const running = sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => sim.channels.get(running.id)?.state === 'Up', 5_000, 'answered');
    const session = agent.controller.sessions.get(running.id);
    expect(session).toBeDefined();
    const oldConfig = session!.deps.config;

    const next = merge(h.raw, { contexts: { support: { greeting: 'Support here', prompt: 'Help.' } }, company_name: 'Acme' });
    await h.writeConfig(JSON.stringify(next));
    const r = await h.fetchJson('/reload', { method: 'POST' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, restart_needed_for: [] });

    expect(Object.keys(agent.config().contexts).sort()).toEqual(['default', 'sales', 'support']);
    expect(agent.config().company_name).toBe('Acme');
    // The call in progress still runs on the configuration it started with.
    expect(session!.deps.config).toBe(oldConfig);
    expect(session!.deps.config.company_name).toBe('');
    // A new call may now use the new context.
    const fresh = sim.placeCall({ variables: { AI_CONTEXT: 'support' } });
    await sim.waitFor(() => agent.controller.sessions.get(fresh.id)?.contextName === 'support', 5_000, 'new call on new context');
    expect(agent.controller.sessions.get(fresh.id)!.deps.config).toBe(agent.config());
  });

  it('refuses invalid YAML with every problem listed and keeps the old configuration', async () => {
    h = await startOpsHarness();
    const before = h.agent.config();
    await h.writeConfig('asterisk:\n  ari_url: [unclosed\ncontexts: {\n');
    const r = await h.fetchJson('/reload', { method: 'POST' });
    expect(r.status).toBe(400);
    expect(r.body.ok).toBe(false);
    expect(r.body.error).toBe('invalid_config');
    expect(r.body.problems.length).toBeGreaterThanOrEqual(1);
    expect(r.body.problems[0]).toMatchObject({ file: expect.stringContaining('ai-agent.yaml'), line: expect.any(Number) });
    expect(h.agent.config()).toBe(before);
    // Still serving.
    expect((await h.fetchJson('/ready', { token: null })).status).toBe(200);
  });

  it('refuses a schema-invalid configuration with all of its problems, not just the first', async () => {
    h = await startOpsHarness();
    const before = h.agent.config();
    const bad = merge(h.raw, { vad: { webrtc_aggressiveness: 9 }, shutdown: { drain_timeout_s: -1 }, default_context: 'nosuch' });
    await h.writeConfig(JSON.stringify(bad, null, 2));
    const r = await h.fetchJson('/reload', { method: 'POST' });
    expect(r.status).toBe(400);
    const paths = r.body.problems.map((p: { path: string }) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['vad.webrtc_aggressiveness', 'shutdown.drain_timeout_s']));
    expect(h.agent.config()).toBe(before);
  });

  it('says which changed sections need a restart', async () => {
    h = await startOpsHarness();
    await h.writeConfig(JSON.stringify(merge(h.raw, { asterisk: { request_timeout_ms: 4321 } })));
    const r = await h.fetchJson('/reload', { method: 'POST' });
    expect(r.status).toBe(200);
    expect(r.body.restart_needed_for).toEqual(['asterisk']);
  });

  it('counts accepted and refused reloads in the metrics', async () => {
    h = await startOpsHarness();
    await h.fetchJson('/reload', { method: 'POST' });
    await h.writeConfig('{');
    await h.fetchJson('/reload', { method: 'POST' });
    expect(await h.agent.ops.metrics.valueOf('config_reloads_total', { result: 'ok' })).toBe(1);
    expect(await h.agent.ops.metrics.valueOf('config_reloads_total', { result: 'rejected' })).toBe(1);
  });
});
