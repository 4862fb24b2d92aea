import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { authStatus, checkBearer } from '../../src/ops/bearerAuth.js';
import { CounterDeltas } from '../../src/ops/CounterDeltas.js';
import { healthReport, providerHealth, readiness } from '../../src/ops/health.js';
import { Metrics, safeLabel } from '../../src/ops/Metrics.js';
import { latencyStages } from '../../src/ops/MetricsObserver.js';
import { outboundRequestSchema, unansweredResult } from '../../src/ops/outboundRequest.js';
import { RecentErrors } from '../../src/ops/RecentErrors.js';
import { sectionsNeedingRestart } from '../../src/ops/reloadConfig.js';

describe('bearer token check', () => {
  it('refuses everything when no token is configured (403), wrong or missing tokens with 401', () => {
    expect(checkBearer('Bearer abc', '')).toBe('not_configured');
    expect(authStatus('not_configured')).toBe(403);
    expect(checkBearer(undefined, 'abc')).toBe('missing');
    expect(checkBearer('Basic abc', 'abc')).toBe('missing');
    expect(checkBearer('Bearer abd', 'abc')).toBe('invalid');
    expect(checkBearer('Bearer abcd', 'abc')).toBe('invalid');
    expect(authStatus('invalid')).toBe(401);
    expect(checkBearer('bearer abc', 'abc')).toBe('ok');
    expect(checkBearer('Bearer abc ', 'abc')).toBe('ok');
  });
});

describe('counter deltas', () => {
  it('returns growth since the previous sample of the same object, and all of it after a reset', () => {
    const d = new CounterDeltas<object>();
    const a = {};
    const b = {};
    expect(d.sample(a, { x: 5, y: 0 })).toEqual({ x: 5, y: 0 });
    expect(d.sample(a, { x: 8, y: 2 })).toEqual({ x: 3, y: 2 });
    expect(d.sample(b, { x: 1 })).toEqual({ x: 1 });
    expect(d.sample(a, { x: 8, y: 2 })).toEqual({ x: 0, y: 0 });
    expect(d.sample(a, { x: 2, y: 2 })).toEqual({ x: 2, y: 0 });
    d.forget(a);
    expect(d.sample(a, { x: 4 })).toEqual({ x: 4 });
  });
});

describe('recent provider errors', () => {
  it('counts errors within the window per provider and forgets older ones', () => {
    const r = new RecentErrors(60_000);
    r.add('openai', 'rate_limit_exceeded', 1_000);
    r.add('openai', 'socket_closed', 30_000);
    r.add('echo', 'x', 2_000);
    expect(r.summary(40_000)).toEqual({
      openai: { count: 2, lastCode: 'socket_closed', lastAtMs: 30_000 },
      echo: { count: 1, lastCode: 'x', lastAtMs: 2_000 },
    });
    expect(r.summary(70_000)).toEqual({ openai: { count: 1, lastCode: 'socket_closed', lastAtMs: 30_000 } });
    expect(r.summary(100_000)).toEqual({});
  });
});

describe('readiness and health', () => {
  const config = configSchema.parse({
    default_provider: 'openai_realtime',
    providers: { openai_realtime: { type: 'openai_realtime', api_key: '' }, echo: { type: 'echo' } },
    pipelines: { cheap: { stt: { api_key: 'k' }, llm: { api_key: 'k' }, tts: { api_key: '' } } },
  });

  it('is ready only with config loaded, ARI connected and not draining, and says why not', () => {
    expect(readiness({ ariState: 'connected', configLoaded: true, draining: false })).toEqual({ ready: true });
    expect(readiness({ ariState: 'disconnected', configLoaded: true, draining: false })).toMatchObject({ ready: false, reason: expect.stringMatching(/^ARI disconnected/) });
    expect(readiness({ ariState: 'connected', configLoaded: false, draining: false })).toMatchObject({ ready: false, reason: 'configuration not loaded' });
    expect(readiness({ ariState: 'connected', configLoaded: true, draining: true })).toMatchObject({ ready: false, reason: expect.stringMatching(/^draining/) });
  });

  it('reports whether each provider and pipeline has its keys, never the keys', () => {
    const p = providerHealth(config, { openai_realtime: { count: 3, lastCode: 'invalid_api_key', lastAtMs: 1 } });
    expect(p).toEqual({
      openai_realtime: { kind: 'realtime', enabled: true, key_present: false, recent_errors: 3, last_error_code: 'invalid_api_key' },
      echo: { kind: 'echo', enabled: true, key_present: true, recent_errors: 0 },
      cheap: { kind: 'pipeline', enabled: true, key_present: false, recent_errors: 0 },
    });
  });

  it('is degraded when the default provider has no key even though ARI is up', () => {
    const h = healthReport({
      ariState: 'connected',
      configLoaded: true,
      draining: false,
      config,
      activeCalls: 2,
      recentErrors: {},
      version: '1.2.3',
      startedAtMs: 0,
      nowMs: 61_400,
      ariReconnects: 1,
    });
    expect(h).toMatchObject({ status: 'degraded', ready: true, version: '1.2.3', uptime_s: 61, active_calls: 2, ari: { state: 'connected', reconnects: 1 } });
  });
});

describe('metric labels and turn latency stages', () => {
  it('keeps bounded label values and replaces anything else', () => {
    expect(safeLabel('insufficient_quota')).toBe('insufficient_quota');
    expect(safeLabel('handshake_401')).toBe('handshake_401');
    expect(safeLabel('+15551234567')).toBe('other');
    expect(safeLabel('a'.repeat(65))).toBe('other');
    expect(safeLabel('', 'none')).toBe('none');
  });

  it('derives each stage only when both of its ends are known', () => {
    expect(latencyStages({ turn: 1, speechEndAt: 1_000, transcriptAt: 1_300, firstTokenAt: 1_500, firstSentenceAt: 1_700, firstAudioAt: 1_950 })).toEqual([
      { stage: 'speech_end_to_first_audio', ms: 950 },
      { stage: 'speech_end_to_transcript', ms: 300 },
      { stage: 'transcript_to_first_token', ms: 200 },
      { stage: 'first_sentence_to_first_audio', ms: 250 },
    ]);
    expect(latencyStages({ turn: 2, speechEndAt: 1_000, firstAudioAt: 1_400 })).toEqual([{ stage: 'speech_end_to_first_audio', ms: 400 }]);
    expect(latencyStages({ turn: 3, speechEndAt: 2_000, firstAudioAt: 1_000 })).toEqual([]);
  });

  it('keeps each agent in its own registry', async () => {
    const a = new Metrics({ processMetrics: false });
    const b = new Metrics({ processMetrics: false });
    a.recordEmail('sent');
    a.recordEmail('spooled');
    expect(await a.valueOf('emails_total', { status: 'sent' })).toBe(1);
    expect(await a.valueOf('emails_total')).toBe(2);
    expect(await b.valueOf('emails_total')).toBe(0);
  });
});

describe('outbound requests and results', () => {
  it('accepts endpoint, context and string variables and rejects the rest', () => {
    expect(outboundRequestSchema.parse({ endpoint: 'PJSIP/5551234@trunk', context: 'sales' })).toEqual({ endpoint: 'PJSIP/5551234@trunk', context: 'sales', variables: {} });
    expect(outboundRequestSchema.safeParse({ endpoint: 'Local/6000@from-internal', context: 'x', variables: { CUSTOMER_NAME: 'Bob' } }).success).toBe(true);
    for (const bad of [
      { endpoint: '5551234', context: 'x' },
      { endpoint: 'PJSIP/', context: 'x' },
      { endpoint: 'PJSIP/1 2', context: 'x' },
      { endpoint: 'PJSIP/1', context: '' },
      { endpoint: 'PJSIP/1', context: 'x', variables: { 'a-b': 'c' } },
      { endpoint: 'PJSIP/1', context: 'x', variables: { a: 1 } },
      { endpoint: 'PJSIP/1', context: 'x', extra: true },
    ]) {
      expect(outboundRequestSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('maps hangup causes before the agent got the call to busy, no answer, machine or failed', () => {
    expect(unansweredResult(17, false, false)).toBe('busy');
    expect(unansweredResult(19, false, false)).toBe('no_answer');
    expect(unansweredResult(18, false, true)).toBe('no_answer');
    expect(unansweredResult(34, false, false)).toBe('failed');
    expect(unansweredResult(16, true, true)).toBe('machine');
    expect(unansweredResult(16, true, false)).toBe('failed');
  });
});

describe('reload', () => {
  it('names the sections that only change with a restart', () => {
    const a = configSchema.parse({});
    const b = configSchema.parse({ http: { port: 15001 }, company_name: 'Acme', asterisk: { app_name: 'other' } });
    expect(sectionsNeedingRestart(a, b)).toEqual(['asterisk', 'http']);
    expect(sectionsNeedingRestart(a, configSchema.parse({ company_name: 'Acme' }))).toEqual([]);
  });
});
