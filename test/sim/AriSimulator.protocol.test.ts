import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AriSimulator } from '../../src/sim/AriSimulator.js';
import { buildRtpPacket } from '../../src/sim/rtpCodec.js';
import { openAppRtp } from './simTestKit.js';
import type { AppRtpSocket } from './simTestKit.js';

const APP = 'asterisk-ai-voice-agent';
const AUTH = `Basic ${Buffer.from('asterisk:secret').toString('base64')}`;

describe('AriSimulator over plain HTTP, websocket and UDP', () => {
  let sim: AriSimulator;
  let sockets: WebSocket[];
  let rtp: AppRtpSocket;

  beforeEach(async () => {
    sim = await AriSimulator.start({ username: 'asterisk', password: 'secret' });
    sockets = [];
    rtp = await openAppRtp();
  });

  afterEach(async () => {
    for (const ws of sockets) ws.terminate();
    rtp.close();
    await sim.close();
  });

  async function rest(method: string, path: string, query: Record<string, string | number> = {}, auth = AUTH) {
    const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
    const res = await fetch(`${sim.url}/ari${path}${qs ? `?${qs}` : ''}`, { method, headers: auth ? { Authorization: auth } : {} });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  }

  async function connectApp(app = APP): Promise<WebSocket> {
    const ws = new WebSocket(`ws://127.0.0.1:${sim.port}/ari/events?app=${app}&api_key=asterisk:secret&subscribeAll=false`);
    sockets.push(ws);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return ws;
  }

  it("answers bad credentials with Asterisk's 401 and accepts ?api_key=user:pass", async () => {
    const bad = await rest('GET', '/asterisk/info', {}, `Basic ${Buffer.from('asterisk:wrong').toString('base64')}`);
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ message: 'Authentication required' });
    expect(bad.headers.get('www-authenticate')).toBe('Basic realm="Asterisk REST Interface"');
    expect((await rest('GET', '/asterisk/info', { api_key: 'asterisk:secret' }, '')).status).toBe(200);
    expect(await rest('GET', '/nothing/here')).toMatchObject({ status: 404, body: { message: 'Resource not found' } });
    expect(await rest('GET', '/channels/')).toMatchObject({ status: 404, body: { message: 'ARI URLs do not end with a slash. Try /ari/channels' } });
    expect(await rest('PUT', '/channels')).toMatchObject({ status: 405, body: { message: 'Invalid method' } });
    const ws = new WebSocket(`ws://127.0.0.1:${sim.port}/ari/events?app=${APP}&api_key=asterisk:nope`);
    const status = await new Promise<number>((resolve) => ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(401);
  });

  it('survives clients that reset the connection after a refused websocket upgrade', async () => {
    const net = await import('node:net');
    for (let i = 0; i < 5; i++) {
      const c = net.connect(sim.port, '127.0.0.1');
      await new Promise<void>((resolve) => c.once('connect', () => resolve()));
      c.write(`GET /ari/events?app=${APP}&api_key=asterisk:nope HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
      const head = await new Promise<string>((resolve) => c.once('data', (d: Buffer) => resolve(d.toString())));
      expect(head).toMatch(/^HTTP\/1\.1 401/);
      c.resetAndDestroy(); // RST while the simulator's end of the socket is still open for reading
    }
    await new Promise((r) => setTimeout(r, 50));
    expect((await rest('GET', '/asterisk/info')).status).toBe(200);
  });

  it('continues a call in the dialplan with STASISSTATUS=FAILED when no app is connected', async () => {
    const call = sim.placeCall({ variables: { AI_CONTEXT: 'x' } });
    expect(call.stasisStatus).toBe('FAILED');
    expect(call.inStasis).toBe(false);
    expect(sim.events).toHaveLength(0);
    expect(await rest('GET', `/channels/${call.id}/variable`, { variable: 'STASISSTATUS' })).toMatchObject({ status: 200, body: { value: 'FAILED' } });
    expect(await rest('POST', `/channels/${call.id}/answer`)).toMatchObject({ status: 409, body: { message: 'Channel not in Stasis application' } });
  });

  it('refuses addChannel of an ExternalMedia channel with 422 until its StasisStart was sent', async () => {
    sim.options.externalMediaEventLagMs = 150;
    await connectApp();
    const call = sim.placeCall();
    expect((await rest('POST', '/bridges', { type: 'mixing', bridgeId: 'b1', name: 'ai-1' })).body).toMatchObject({ id: 'b1', technology: 'simple_bridge', bridge_type: 'mixing', channels: [] });
    expect((await rest('POST', '/bridges/b1/addChannel', { channel: call.id })).status).toBe(204);
    const em = await rest('POST', '/channels/externalMedia', { app: APP, channelId: 'ext1', external_host: `127.0.0.1:${rtp.port}`, format: 'ulaw' });
    expect(em.status).toBe(200);
    expect(sim.events.some((e) => e.type === 'StasisStart' && (e.channel as { id: string }).id === 'ext1')).toBe(false);
    expect(await rest('POST', '/bridges/b1/addChannel', { channel: 'ext1' })).toMatchObject({ status: 422, body: { message: 'Channel not in Stasis application' } });
    const start = await sim.waitForEvent('StasisStart', (e) => (e.channel as { id: string }).id === 'ext1');
    expect(start).toMatchObject({ args: [], channel: { state: 'Up', caller: { name: '', number: '' }, dialplan: { context: 'default', app_name: 'Stasis' } } });
    expect((await rest('POST', '/bridges/b1/addChannel', { channel: 'ext1' })).status).toBe(204);

    sim.options.externalMediaOrder = 'event-first';
    await rest('POST', '/channels/externalMedia', { app: APP, channelId: 'ext2', external_host: `127.0.0.1:${rtp.port}`, format: 'slin16', data: 'tag' });
    expect(sim.events.find((e) => e.type === 'StasisStart' && (e.channel as { id: string }).id === 'ext2')).toMatchObject({ args: ['tag'] });
  });

  it("returns Asterisk's error statuses and messages", async () => {
    await connectApp();
    const call = sim.placeCall();
    expect(await rest('GET', '/channels/nope')).toMatchObject({ status: 404, body: { message: 'Channel not found' } });
    expect(await rest('DELETE', '/channels/nope')).toMatchObject({ status: 404, body: { message: 'Channel not found' } });
    expect(await rest('POST', '/channels/nope/answer')).toMatchObject({ status: 404, body: { message: 'Channel not found' } });
    expect(await rest('GET', `/channels/${call.id}/variable`)).toMatchObject({ status: 400, body: { message: 'Variable name is required' } });
    expect(await rest('DELETE', '/bridges/nope')).toMatchObject({ status: 404, body: { message: 'Bridge not found' } });
    await rest('POST', '/bridges', { type: 'mixing', bridgeId: 'b1' });
    expect(await rest('POST', '/bridges', { type: 'mixing', bridgeId: 'b1' })).toMatchObject({ status: 409 });
    expect(await rest('POST', '/bridges/b1/addChannel')).toMatchObject({ status: 400, body: { message: 'Missing parameter channel' } });
    expect(await rest('POST', '/bridges/b1/addChannel', { channel: 'nope' })).toMatchObject({ status: 400, body: { message: 'Channel not found' } });
    expect(await rest('POST', '/bridges/b1/removeChannel', { channel: call.id })).toMatchObject({ status: 422, body: { message: 'Channel not in this bridge' } });
    expect(await rest('POST', '/channels/externalMedia', { app: APP, external_host: '127.0.0.1:1' })).toMatchObject({ status: 400, body: { message: 'format cannot be empty' } });
    expect(await rest('POST', '/channels')).toMatchObject({ status: 400, body: { message: 'Endpoint must be specified' } });
    sim.setEndpointBehavior('PJSIP/slow', { answerAfterMs: 10_000 });
    const ringing = await rest('POST', '/channels', { endpoint: 'PJSIP/slow', app: APP });
    expect(ringing.body).toMatchObject({ state: 'Down' });
    expect(await rest('POST', `/channels/${String(ringing.body?.id)}/answer`)).toMatchObject({ status: 409 });
    expect((await rest('DELETE', `/channels/${String(ringing.body?.id)}`)).status).toBe(204);
    expect(sim.channels.has(String(ringing.body?.id))).toBe(false);
    expect(await rest('GET', `/channels/${call.id}/rtp_statistics`)).toMatchObject({ status: 404 });
    expect(await rest('GET', '/applications/unknown')).toMatchObject({ status: 404, body: { message: 'Application not found' } });
  });

  it('drops the first 4 packets from a source other than external_host (strict RTP learning)', async () => {
    await connectApp();
    const call = sim.placeCall();
    await rest('POST', '/bridges', { type: 'mixing', bridgeId: 'b1' });
    await rest('POST', '/bridges/b1/addChannel', { channel: call.id });
    const em = await rest('POST', '/channels/externalMedia', { app: APP, channelId: 'ext1', external_host: `127.0.0.1:${rtp.port}`, format: 'ulaw' });
    await sim.waitForEvent('StasisStart', (e) => (e.channel as { id: string }).id === 'ext1');
    await rest('POST', '/bridges/b1/addChannel', { channel: 'ext1' });
    const simPort = Number((em.body?.channelvars as Record<string, string>).UNICASTRTP_LOCAL_PORT);
    const other = await openAppRtp();
    try {
      for (let i = 0; i < 6; i++) other.send(buildRtpPacket({ pt: 0, seq: i, ts: i * 160, ssrc: 1, payload: Buffer.alloc(160, 0xff) }), simPort);
      await sim.waitFor(() => call.received.length === 2);
      const peer = call.rtpPeers[0]!;
      expect(peer.dropped.map((d) => d.reason)).toEqual(['strict-rtp-learning', 'strict-rtp-learning', 'strict-rtp-learning', 'strict-rtp-learning']);
      expect(call.received.map((r) => r.seq)).toEqual([4, 5]);
    } finally {
      other.close();
    }
  });

  it('records music on hold, ringing, playbacks and redirects, with PlaybackStarted/Finished events', async () => {
    sim.options.playbackDurationMs = 20;
    await connectApp();
    const call = sim.placeCall();
    expect((await rest('POST', `/channels/${call.id}/moh`, { mohClass: 'jazz' })).status).toBe(204);
    expect(call.moh).toBe('jazz');
    await rest('DELETE', `/channels/${call.id}/moh`);
    expect(call.moh).toBeNull();
    await rest('POST', `/channels/${call.id}/ring`);
    expect(call.ringing).toBe(true);
    const play = await rest('POST', `/channels/${call.id}/play`, { media: 'sound:hello-world,sound:goodbye', playbackId: 'pb1' });
    expect(play).toMatchObject({ status: 201, body: { id: 'pb1', media_uri: 'sound:hello-world', next_media_uri: 'sound:goodbye', target_uri: `channel:${call.id}`, state: 'queued' } });
    expect(play.headers.get('location')).toBe('/playbacks/pb1');
    expect(await sim.waitForEvent('PlaybackFinished')).toMatchObject({ playback: { id: 'pb1', media_uri: 'sound:goodbye', state: 'done' } });
    expect(sim.events.filter((e) => e.type.startsWith('Playback')).map((e) => e.type)).toEqual(['PlaybackStarted', 'PlaybackContinuing', 'PlaybackFinished']);
    expect(call.playedMedia).toEqual(['sound:hello-world', 'sound:goodbye']);
    expect((await rest('POST', `/channels/${call.id}/redirect`, { endpoint: 'Local/6000@from-internal' })).status).toBe(204);
    expect(await rest('POST', `/channels/${call.id}/redirect`, { endpoint: 'PJSIP/6000' })).toMatchObject({ status: 422 });
    const sip = sim.placeCall({ technology: 'PJSIP' });
    await rest('POST', `/channels/${sip.id}/answer`);
    expect((await rest('POST', `/channels/${sip.id}/redirect`, { endpoint: 'PJSIP/sip:target@127.0.0.1:5080' })).status).toBe(204);
    expect(sip.inStasis).toBe(true);
    expect([call.redirects, sip.redirects]).toEqual([[{ endpoint: 'Local/6000@from-internal', result: 'ignored' }], [{ endpoint: 'PJSIP/sip:target@127.0.0.1:5080', result: 'refer-sent' }]]);
  });

  it('emulates Asterisk going away: refused while stopped, back on the same port, resets while REST is down', async () => {
    const ws = await connectApp();
    const closed = new Promise((r) => ws.once('close', r));
    const port = sim.port;
    await sim.stopHttp();
    await closed;
    await expect(fetch(`${sim.url}/ari/asterisk/info`, { headers: { Authorization: AUTH } })).rejects.toThrow();
    await sim.startHttp();
    expect(sim.port).toBe(port);
    expect((await rest('GET', '/asterisk/info')).status).toBe(200);
    sim.setRestDown(true);
    await expect(fetch(`${sim.url}/ari/channels`, { headers: { Authorization: AUTH } })).rejects.toThrow();
    sim.setRestDown(true, 503);
    expect(await rest('GET', '/channels')).toMatchObject({ status: 503, body: { message: 'Asterisk not booted' } });
    sim.setRestDown(false);
    expect((await rest('GET', '/channels')).status).toBe(200);
    expect(sim.requests.at(-1)).toMatchObject({ method: 'GET', path: '/channels', status: 200 });
  });

  it('hands an app to the newest websocket and sends ApplicationReplaced to the old one', async () => {
    const first = await connectApp();
    const got: string[] = [];
    first.on('message', (m: Buffer) => got.push((JSON.parse(m.toString()) as { type: string }).type));
    const second = await connectApp();
    const secondGot: string[] = [];
    second.on('message', (m: Buffer) => secondGot.push((JSON.parse(m.toString()) as { type: string }).type));
    sim.placeCall();
    await sim.waitFor(() => secondGot.includes('StasisStart'));
    expect(got).toEqual(['ApplicationReplaced']);
  });
});
