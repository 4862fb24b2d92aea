import { afterEach, describe, expect, it } from 'vitest';
import { probeAri } from '../../src/ari/preflight.js';
import { closedPort, startFakeAri } from './fakeAri.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function fake(...args: Parameters<typeof startFakeAri>) {
  const server = await startFakeAri(...args);
  closers.push(server.close);
  return server;
}

const creds = { username: 'asterisk', password: 'pw', app_name: 'asterisk-ai-voice-agent' };

describe('probeAri', () => {
  it('returns the Asterisk version and whether the app is registered', async () => {
    const ari = await fake('ok');
    expect(await probeAri({ ari_url: ari.url, ...creds })).toEqual({ ok: true, version: '22.10.1', appRegistered: false });
    expect(ari.requests).toEqual(['GET /ari/asterisk/info', 'GET /ari/applications/asterisk-ai-voice-agent']);
  });

  it('honours an http.conf prefix in ari_url and a trailing slash', async () => {
    const ari = await fake('ok', { prefix: '/asterisk' });
    expect(await probeAri({ ari_url: `${ari.url}/`, ...creds })).toMatchObject({ ok: true });
  });

  it('tells a wrong password (401) apart, pointing at ari.conf', async () => {
    const ari = await fake('ok', { password: 'other' });
    const result = await probeAri({ ari_url: ari.url, ...creds });
    expect(result).toMatchObject({ ok: false, kind: 'unauthorized', status: 401 });
    expect(!result.ok && result.hint).toMatch(/ari\.conf.*enabled=yes/);
  });

  it('tells a wrong path (404) apart: a doubled /ari, or an http.conf prefix', async () => {
    const ari = await fake('ok');
    const doubled = await probeAri({ ari_url: `${ari.url}/ari`, ...creds });
    expect(doubled).toMatchObject({ ok: false, kind: 'not_found', status: 404 });
    expect(!doubled.ok && doubled.hint).toBe(`asterisk.ari_url must not end in /ari (the agent adds it): use ${ari.url}`);
    const prefixed = await fake('ok', { prefix: '/asterisk' });
    const missingPrefix = await probeAri({ ari_url: prefixed.url.replace('/asterisk', ''), ...creds });
    expect(missingPrefix).toMatchObject({ ok: false, kind: 'not_found' });
    expect(!missingPrefix.ok && missingPrefix.hint).toMatch(/prefix=/);
  });

  it('tells connection refused apart, pointing at http.conf', async () => {
    const port = await closedPort();
    const result = await probeAri({ ari_url: `http://127.0.0.1:${port}`, ...creds });
    expect(result).toMatchObject({ ok: false, kind: 'refused' });
    expect(!result.ok && result.message).toMatch(/connection refused/);
    expect(!result.ok && result.hint).toMatch(/http\.conf.*enabled=yes.*bindaddr=127\.0\.0\.1.*bindport=/);
  });

  it('tells a timeout apart', async () => {
    const ari = await fake('silent');
    const result = await probeAri({ ari_url: ari.url, ...creds }, { timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, kind: 'timeout', message: expect.stringMatching(/within 300 ms/) });
  });

  it('tells a name that does not resolve apart', async () => {
    const result = await probeAri({ ari_url: 'http://no-such-pbx.invalid:8088', ...creds }, { timeoutMs: 3_000 });
    expect(result).toMatchObject({ ok: false, kind: 'dns' });
  });

  it('tells another web server on the port apart', async () => {
    const ari = await fake('not_ari');
    expect(await probeAri({ ari_url: ari.url, ...creds })).toMatchObject({ ok: false, kind: 'bad_response', status: 200 });
  });
});
