import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AriSimulator } from '../../src/sim/AriSimulator.js';
import { buildRtpPacket, encodePayload, ulawToLinear } from '../../src/sim/rtpCodec.js';
import type { AppRtpSocket, AriClient, AriObject } from './simTestKit.js';
import { BRIDGE_OPS, CHANNEL_OPS, connectAri, openAppRtp, tone, typesFor } from './simTestKit.js';

const APP = 'asterisk-ai-voice-agent';

describe('AriSimulator with the real ari-client 2.2.0', () => {
  let sim: AriSimulator;
  let client: AriClient;
  let rtp: AppRtpSocket;
  const starts: AriObject[] = [];

  beforeEach(async () => {
    sim = await AriSimulator.start({ username: 'asterisk', password: 'secret' });
    client = await connectAri(sim);
    client.on('StasisStart', (_e, ch) => starts.push(ch));
    rtp = await openAppRtp();
  });

  afterEach(async () => {
    starts.length = 0;
    client.removeAllListeners();
    client.stop();
    rtp.close();
    await sim.close();
  });

  /** Caller in Stasis, bridged with an ExternalMedia channel whose RTP goes to `rtp`: the app's usual set-up. */
  async function bridgedCall(format = 'ulaw', opts: Parameters<AriSimulator['placeCall']>[0] = {}) {
    const call = sim.placeCall({ variables: { AI_CONTEXT: 'demo' }, ...opts });
    await sim.waitFor(() => starts.some((c) => c.id === call.id));
    const caller = starts.find((c) => c.id === call.id) as AriObject;
    const bridge = await client.bridges.create({ type: 'mixing', bridgeId: `br-${call.id}`, name: `ai-${call.id}` });
    await bridge.addChannel({ channel: call.id });
    const extId = `extmedia-${call.id}`;
    const ext = await client.channels.externalMedia({ app: APP, channelId: extId, external_host: `127.0.0.1:${rtp.port}`, format, encapsulation: 'rtp', transport: 'udp', direction: 'both', data: 'ai-media' });
    await sim.waitFor(() => starts.some((c) => c.id === extId));
    await bridge.addChannel({ channel: extId });
    await caller.answer();
    return { call, caller, bridge, ext, extId, simPort: Number(ext.channelvars.UNICASTRTP_LOCAL_PORT) };
  }

  it('builds its API from the served swagger and reads Asterisk info', async () => {
    for (const op of CHANNEL_OPS) expect(typeof client.channels[op]).toBe('function');
    for (const op of BRIDGE_OPS) expect(typeof client.bridges[op]).toBe('function');
    const info = await client.asterisk.getInfo();
    expect(info.system).toEqual({ version: '22.10.1', entity_id: '02:fc:00:00:00:01' });
  });

  it('delivers the caller StasisStart in Ring state from the from-ai-agent context and serves its variables', async () => {
    const call = sim.placeCall({ technology: 'Local', callerNumber: '5551234', callerName: 'Lab Caller', variables: { AI_CONTEXT: 'demo' } });
    await sim.waitFor(() => starts.length === 1);
    const ch = starts[0] as AriObject;
    expect(ch.id).toBe(call.id);
    expect(ch.id).toMatch(/^\d{10}\.\d+$/);
    expect(ch.name).toMatch(/^Local\/s@from-ai-agent-[0-9a-f]{8};2$/);
    expect(ch.state).toBe('Ring');
    expect(ch.dialplan).toEqual({ context: 'from-ai-agent', exten: 's', priority: 4, app_name: 'Stasis', app_data: APP });
    const start = await sim.waitForEvent('StasisStart');
    expect(start.args).toEqual([]);
    expect(start.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(start.application).toBe(APP);
    expect(await ch.getChannelVar({ variable: 'AI_CONTEXT' })).toEqual({ value: 'demo' });
    expect(await ch.getChannelVar({ variable: 'CALLERID(num)' })).toEqual({ value: '5551234' });
    await expect(ch.getChannelVar({ variable: 'AI_PROVIDER' })).rejects.toThrow('Provided variable was not found');
  });

  it('exchanges RTP both ways over ExternalMedia ulaw: PT 0, 160 B per 20 ms, dynamic PTs dropped', async () => {
    const { call, ext, simPort } = await bridgedCall('ulaw');
    expect(ext.name).toMatch(new RegExp(`^UnicastRTP/127\\.0\\.0\\.1:${rtp.port}-0x7f[0-9a-f]+$`));
    expect(ext.state).toBe('Down');
    expect(ext.channelvars.UNICASTRTP_LOCAL_ADDRESS).toBe('127.0.0.1');

    const caller = tone(440, 200, 8000);
    const played = await call.playAudio(caller, 8000, { realtime: false });
    expect(played).toEqual({ sentFrames: 10, droppedFrames: 0 });
    await sim.waitFor(() => rtp.packets.length === 10);
    const first = rtp.packets[0]!;
    expect(first.raw.length).toBe(172);
    expect(first.pkt).toMatchObject({ pt: 0, marker: false, ts: 160 });
    expect(first.from).toBe(`127.0.0.1:${simPort}`);
    expect(new Set(rtp.packets.map((p) => p.pkt.ssrc)).size).toBe(1);
    expect(rtp.packets.map((p) => (p.pkt.seq - first.pkt.seq + 0x10000) & 0xffff)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const heard = Int16Array.from(rtp.packets.flatMap((p) => [...p.pkt.payload].map(ulawToLinear)));
    expect(Math.max(...heard.map((v, i) => Math.abs(v - (caller[i] ?? 0))))).toBeLessThan(400);

    const agent = tone(300, 100, 8000);
    for (let i = 0; i < 5; i++) {
      const payload = encodePayload(agent.subarray(i * 160, i * 160 + 160), 'ulaw');
      rtp.send(buildRtpPacket({ pt: 0, seq: i, ts: i * 160, ssrc: 7, payload }), simPort);
      rtp.send(buildRtpPacket({ pt: 118, seq: 100 + i, ts: i * 320, ssrc: 8, payload: Buffer.alloc(640) }), simPort);
    }
    await call.waitForReceivedMs(100);
    await sim.waitFor(() => call.droppedDynamic === 5);
    expect(call.received.map((r) => r.pt)).toEqual([0, 0, 0, 0, 0]);
    const got = call.receivedPcm();
    expect(got.length).toBe(800);
    expect(Math.max(...got.map((v, i) => Math.abs(v - (agent[i] ?? 0))))).toBeLessThan(400);
  });

  it('sends slin16 as big-endian L16 with PT 118 and 640 B per 20 ms', async () => {
    const { call } = await bridgedCall('slin16');
    const pcm = tone(1000, 40, 16000);
    await call.playAudio(pcm, 16000, { realtime: false });
    await sim.waitFor(() => rtp.packets.length === 2);
    const p = rtp.packets[0]!;
    expect(p.pkt).toMatchObject({ pt: 118, ts: 320 });
    expect(p.pkt.payload.length).toBe(640);
    expect([0, 1, 2, 3, 50].map((i) => p.pkt.payload.readInt16BE(i * 2))).toEqual([0, 1, 2, 3, 50].map((i) => pcm[i]));
  });

  it('sends no RTP while the caller is silent in a two-member bridge, and a steady clock once softmix', async () => {
    const { bridge } = await bridgedCall('ulaw');
    await new Promise((r) => setTimeout(r, 120));
    expect(rtp.packets.length).toBe(0);
    sim.setEndpointBehavior('Local/s@silent-party', { answerAfterMs: 5 });
    const third = await client.channels.originate({ endpoint: 'Local/s@silent-party', app: APP, appArgs: 'third' });
    await sim.waitFor(() => starts.some((c) => c.id === third.id));
    await bridge.addChannel({ channel: third.id });
    expect((await client.bridges.get({ bridgeId: bridge.id })).technology).toBe('softmix');
    await sim.waitFor(() => rtp.packets.length >= 5);
    expect(rtp.packets.every((p) => p.pkt.payload.every((b) => b === 0xff))).toBe(true);
  });

  it('app hangup: the caller gets HangupRequest(32, soft) → LeftBridge → StasisEnd and no ChannelDestroyed', async () => {
    const { call, caller, bridge, extId } = await bridgedCall('ulaw');
    const mark = sim.events.length;
    await caller.hangup();
    await sim.waitForEvent('StasisEnd', (e) => (e.channel as AriObject).id === call.id);
    expect(typesFor(sim, call.id, mark)).toEqual(['ChannelHangupRequest', 'ChannelVarset:BRIDGEPEER', 'ChannelLeftBridge', 'StasisEnd']);
    expect(sim.events[mark]).toMatchObject({ type: 'ChannelHangupRequest', cause: 32, soft: true });

    const extMark = sim.events.length;
    await client.channels.hangup({ channelId: extId });
    await bridge.destroy();
    await sim.waitForEvent('BridgeDestroyed');
    expect(typesFor(sim, extId, extMark)).toEqual(['ChannelHangupRequest', 'ChannelVarset:BRIDGEPEER', 'ChannelLeftBridge', 'StasisEnd', 'ChannelVarset:STASISSTATUS', 'ChannelDestroyed']);
    expect(sim.events.find((e) => e.type === 'ChannelDestroyed')).toMatchObject({ cause: 16, cause_txt: 'Normal Clearing' });
    expect(sim.channels.size).toBe(0);
    expect(sim.bridges.size).toBe(0);
    expect(sim.rtpPeers).toBe(0);
  });

  it('caller hangup: Local sends cause 16, PJSIP sends QoS varsets then a request without cause', async () => {
    const local = await bridgedCall('ulaw');
    let mark = sim.events.length;
    local.call.hangup();
    expect(typesFor(sim, local.call.id, mark)).toEqual(['ChannelHangupRequest', 'ChannelVarset:BRIDGEPEER', 'ChannelLeftBridge', 'StasisEnd']);
    expect(sim.events[mark]).toMatchObject({ cause: 16 });
    expect(sim.events[mark]).not.toHaveProperty('soft');

    const sip = sim.placeCall({ technology: 'PJSIP', callerName: 'Sipp Caller' });
    await sim.waitFor(() => starts.some((c) => c.id === sip.id));
    expect(sip.channel.name).toMatch(/^PJSIP\/1001-[0-9a-f]{8}$/);
    mark = sim.events.length;
    sip.hangup();
    const types = typesFor(sim, sip.id, mark);
    expect(types.slice(0, 5)).toEqual(['ChannelVarset:RTPAUDIOQOS', 'ChannelVarset:RTPAUDIOQOSJITTER', 'ChannelVarset:RTPAUDIOQOSLOSS', 'ChannelVarset:RTPAUDIOQOSRTT', 'ChannelVarset:RTPAUDIOQOSMES']);
    expect(types.slice(5)).toEqual(['ChannelHangupRequest', 'StasisEnd']);
    expect(sim.events.find((e, i) => i >= mark && e.type === 'ChannelHangupRequest')).not.toHaveProperty('cause');
  });

  it('continue: 204, then LeftBridge and StasisEnd without a hangup, and records the target', async () => {
    const { call, caller } = await bridgedCall('ulaw');
    const mark = sim.events.length;
    await caller.continueInDialplan({ context: 'after-agent', extension: 's', priority: 1 });
    await sim.waitForEvent('StasisEnd', (e) => (e.channel as AriObject).id === call.id);
    expect(typesFor(sim, call.id, mark)).toEqual(['ChannelVarset:BRIDGEPEER', 'ChannelLeftBridge', 'StasisEnd']);
    expect(call.continuedTo).toEqual({ context: 'after-agent', extension: 's', priority: 1 });
    expect(call.hungUp).toBe(false);
  });

  it('originate: 200 at once (Down), StasisStart Up with appArgs on answer; busy and no answer end the channel', async () => {
    sim.setEndpointBehavior('Local/s@transfer-target', { answerAfterMs: 30 });
    sim.setEndpointBehavior('PJSIP/busy*', { busyAfterMs: 10 });
    sim.setEndpointBehavior(/^PJSIP\/away/, { noAnswer: true });
    sim.options.noAnswerTimeoutMs = 30;
    const target = await client.channels.originate({ endpoint: 'Local/s@transfer-target', app: APP, appArgs: 'transfer-target', callerId: 'AI Agent <7000>', timeout: 20 });
    expect(target.state).toBe('Down');
    expect(target.name).toMatch(/^Local\/s@transfer-target-[0-9a-f]{8};1$/);
    expect(target.caller).toEqual({ name: 'AI Agent', number: '7000' });
    const started = await sim.waitForEvent('StasisStart', (e) => (e.channel as AriObject).id === target.id);
    expect(started.args).toEqual(['transfer-target']);
    expect((started.channel as AriObject).state).toBe('Up');
    expect(typesFor(sim, target.id)).toEqual(['Dial', 'ChannelStateChange', 'Dial', 'ChannelVarset:STASISSTATUS', 'StasisStart']);

    const busy = await client.channels.originate({ endpoint: 'PJSIP/busy-6001', app: APP });
    const busyEnd = await sim.waitForEvent('ChannelDestroyed', (e) => (e.channel as AriObject).id === busy.id);
    expect(busyEnd).toMatchObject({ cause: 17, cause_txt: 'User busy' });
    expect(sim.events.find((e) => e.type === 'ChannelHangupRequest' && (e.channel as AriObject).id === busy.id)).toMatchObject({ cause: 17 });

    const away = await client.channels.originate({ endpoint: 'PJSIP/away', app: APP, timeout: 20 });
    expect(await sim.waitForEvent('ChannelDestroyed', (e) => (e.channel as AriObject).id === away.id)).toMatchObject({ cause: 19 });
  });

  it('transfer: target joins (softmix), ExternalMedia leaves and is deleted with the traced event order', async () => {
    const { call, bridge, extId } = await bridgedCall('ulaw');
    sim.setEndpointBehavior('Local/s@transfer-target', { answerAfterMs: 5 });
    const target = await client.channels.originate({ endpoint: 'Local/s@transfer-target', app: APP, appArgs: 'transfer-target', callerId: 'AI Agent <7000>' });
    await sim.waitFor(() => starts.some((c) => c.id === target.id));
    await bridge.addChannel({ channel: target.id });
    expect(sim.bridges.get(bridge.id)?.technology).toBe('softmix');
    const mark = sim.events.length;
    await bridge.removeChannel({ channel: extId });
    await client.channels.hangup({ channelId: extId });
    await sim.waitForEvent('ChannelDestroyed', (e) => (e.channel as AriObject).id === extId);
    expect(typesFor(sim, extId, mark)).toEqual(['ChannelVarset:BRIDGEPEER', 'ChannelLeftBridge', 'ChannelHangupRequest', 'StasisEnd', 'ChannelVarset:STASISSTATUS', 'ChannelDestroyed']);
    expect(sim.events.find((e, i) => i >= mark && e.type === 'ChannelLeftBridge')).toMatchObject({ bridge: { technology: 'softmix', channels: [call.id, target.id] } });
    expect((await client.bridges.get({ bridgeId: bridge.id })).technology).toBe('simple_bridge');
    expect(call.channel.connected).toEqual({ name: 'AI Agent', number: '7000' });
  });

  it('keeps channels in Stasis when the websocket drops and lists them in applications.get', async () => {
    const { call, extId } = await bridgedCall('ulaw');
    sim.dropWebsockets();
    await sim.waitFor(() => !sim.isAppConnected());
    expect(call.inStasis).toBe(true);
    const app = await client.applications.get({ applicationName: APP });
    expect(app.channel_ids.sort()).toEqual([call.id, extId].sort());
    expect(app.bridge_ids).toEqual([`br-${call.id}`]);
    expect(app).toMatchObject({ endpoint_ids: [], device_names: [] });
  });
});
