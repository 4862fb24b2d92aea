/**
 * The channel/bridge state machine of the simulated Asterisk and the event sequences it produces, reproduced from
 * traces of Asterisk 22.10.1: entering/leaving Stasis, bridging (simple_bridge → softmix at 3 members), BRIDGEPEER
 * and connected-line updates, the three hangup flavours (app DELETE, Local caller, PJSIP BYE), and routing caller
 * audio to the ExternalMedia RTP peers that share the caller's bridge.
 */
import type { CallerIdJson } from './ariShapes.js';
import { causeText } from './ariShapes.js';
import type { EventHub } from './EventHub.js';
import { FRAME_MS, resampleLinear, samplesPerFrame } from './rtpCodec.js';
import type { RtpPeer } from './RtpPeer.js';
import type { SimBridge } from './simModel.js';
import { SimChannel } from './simModel.js';

export interface AudioFrame {
  pcm: Int16Array;
  sampleRate: number;
}

const OUTGOING_LINE = { app_name: 'AppDial2', app_data: '(Outgoing Line)' };

export class StasisCore {
  readonly channels = new Map<string, SimChannel>();
  readonly bridges = new Map<string, SimBridge>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly clocks = new Map<string, NodeJS.Timeout>();
  private readonly idBase = Math.floor(Date.now() / 1000);
  private idSeq = 1;
  private nameSeq = 0;

  constructor(readonly hub: EventHub) {}

  // ---- ids, timers ----------------------------------------------------------------------------------------

  nextId(): string {
    return `${this.idBase}.${this.idSeq++}`;
  }

  /** `00000010`: Asterisk's per-technology channel name suffix (we share one counter). */
  nextNameSuffix(): string {
    return (this.nameSeq++).toString(16).padStart(8, '0');
  }

  later(ms: number, fn: () => void): () => void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    return () => {
      clearTimeout(t);
      this.timers.delete(t);
    };
  }

  /** Poll `cond` every 5 ms (cheap, and fine-grained enough for 20 ms media) until true or `timeoutMs`. */
  waitUntil(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const check = () => {
        if (cond()) return resolve();
        if (Date.now() - started >= timeoutMs) return reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
        this.later(5, check);
      };
      check();
    });
  }

  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const t of this.clocks.values()) clearInterval(t);
    this.clocks.clear();
    for (const ch of this.channels.values()) {
      ch.rtp?.close();
      ch.call?.stopAudio();
      ch.pendingDial?.();
    }
  }

  // ---- events ---------------------------------------------------------------------------------------------

  chanEvent(type: string, ch: SimChannel, before: Record<string, unknown> = {}, after: Record<string, unknown> = {}): void {
    this.hub.publish(type, { ...before, channel: ch.toJson(), ...after }, ch.subscribedApps);
  }

  setVar(ch: SimChannel, variable: string, value: string): void {
    ch.variables.set(variable, value);
    this.chanEvent('ChannelVarset', ch, { variable, value });
  }

  setState(ch: SimChannel, state: SimChannel['state']): void {
    if (ch.state === state) return;
    ch.state = state;
    this.chanEvent('ChannelStateChange', ch);
  }

  private bridgeApps(br: SimBridge, ch?: SimChannel): Set<string> {
    return new Set([...br.apps, ...(ch ? ch.subscribedApps : [])]);
  }

  // ---- Stasis ---------------------------------------------------------------------------------------------

  enterStasis(ch: SimChannel, app: string, args: string[]): void {
    ch.dialplan = { ...ch.dialplan, app_name: 'Stasis', app_data: [app, ...args].join(',') };
    this.setVar(ch, 'STASISSTATUS', '');
    ch.stasisApp = app;
    ch.stasisArgs = args;
    ch.subscribedApps.add(app);
    this.chanEvent('StasisStart', ch, { args });
  }

  /** ChannelLeftBridge (if bridged) then StasisEnd. Dialplan channels are unsubscribed after StasisEnd. */
  leaveStasis(ch: SimChannel): void {
    if (!ch.inStasis) return;
    ch.call?.stopPlaybacks();
    const br = ch.bridgeId ? this.bridges.get(ch.bridgeId) : undefined;
    if (br) this.removeFromBridge(br, ch);
    ch.stasisApp = null;
    this.chanEvent('StasisEnd', ch);
    if (ch.createdByApp) {
      this.setVar(ch, 'STASISSTATUS', 'SUCCESS');
    } else {
      ch.variables.set('STASISSTATUS', 'SUCCESS');
      ch.subscribedApps.clear();
    }
  }

  // ---- bridges --------------------------------------------------------------------------------------------

  addToBridge(br: SimBridge, ch: SimChannel): void {
    if (ch.bridgeId === br.id) return;
    const previous = ch.bridgeId ? this.bridges.get(ch.bridgeId) : undefined;
    if (previous) this.removeFromBridge(previous, ch);
    br.channels.push(ch.id);
    ch.bridgeId = br.id;
    if (ch.stasisApp) br.apps.add(ch.stasisApp);
    this.hub.publish('ChannelEnteredBridge', { bridge: br.toJson(), channel: ch.toJson() }, this.bridgeApps(br, ch));
    const members = this.members(br);
    if (members.length >= 2) {
      for (const m of [...members.filter((m) => m !== ch), ch]) this.updateBridgePeer(m, members);
      const pjsip = members.find((m) => m.technology === 'PJSIP');
      if (pjsip) for (const m of members) if (m.technology === 'UnicastRTP') this.setVar(m, 'BRIDGEPVTCALLID', pjsip.protocolId);
    }
    if (members.length === 2) this.exchangeConnectedLine(members);
    for (const m of members) for (const o of members) if (m.call && o !== m && o.rtp) m.call.linkPeer(o.rtp);
    if (members.length >= 3 && br.technology === 'simple_bridge') {
      br.technology = 'softmix';
      this.startClock(br);
    }
  }

  removeFromBridge(br: SimBridge, ch: SimChannel): void {
    const idx = br.channels.indexOf(ch.id);
    if (idx < 0) return;
    if (ch.variables.get('BRIDGEPEER')) this.setVar(ch, 'BRIDGEPEER', '');
    if (ch.variables.get('BRIDGEPVTCALLID')) this.setVar(ch, 'BRIDGEPVTCALLID', '');
    br.channels.splice(idx, 1);
    ch.bridgeId = null;
    this.hub.publish('ChannelLeftBridge', { bridge: br.toJson(), channel: ch.toJson() }, this.bridgeApps(br, ch));
    const members = this.members(br);
    if (members.length < 3 && br.technology === 'softmix') {
      br.technology = 'simple_bridge';
      this.stopClock(br);
    }
    if (members.length >= 2) for (const m of members) this.updateBridgePeer(m, members);
    if (members.length === 2) this.exchangeConnectedLine(members);
  }

  destroyBridge(br: SimBridge): void {
    for (const ch of this.members(br)) this.removeFromBridge(br, ch);
    this.stopClock(br);
    br.destroyed = true;
    this.bridges.delete(br.id);
    this.hub.publish('BridgeDestroyed', { bridge: br.toJson() }, br.apps);
  }

  members(br: SimBridge): SimChannel[] {
    return br.channels.map((id) => this.channels.get(id)).filter((c): c is SimChannel => c !== undefined);
  }

  private updateBridgePeer(ch: SimChannel, members: SimChannel[]): void {
    const value = members.filter((m) => m !== ch).map((m) => m.name).join(',');
    if (ch.variables.get('BRIDGEPEER') !== value) this.setVar(ch, 'BRIDGEPEER', value);
  }

  private exchangeConnectedLine([a, b]: SimChannel[]): void {
    if (!a || !b) return;
    const update = (ch: SimChannel, to: CallerIdJson) => {
      if (ch.connected.name === to.name && ch.connected.number === to.number) return;
      ch.connected = { ...to };
      this.chanEvent('ChannelConnectedLine', ch);
    };
    update(a, b.caller);
    update(b, a.caller);
  }

  // ---- hangups --------------------------------------------------------------------------------------------

  /** `DELETE /channels/{id}`: soft hangup (cause 32 is AST_SOFTHANGUP_EXPLICIT), then the channel unwinds. */
  appHangup(ch: SimChannel, cause: number): void {
    this.chanEvent('ChannelHangupRequest', ch, { cause: 32, soft: true });
    if (ch.pendingDial && !ch.inStasis) {
      ch.pendingDial();
      this.hub.publish('Dial', { dialstatus: 'CANCEL', forward: '', dialstring: ch.variables.get('__DIALSTRING') ?? '', peer: ch.toJson() }, ch.subscribedApps);
    }
    this.leaveStasis(ch);
    this.destroy(ch, cause);
  }

  /** The caller hangs up: Local → cause 16; PJSIP BYE → RTP QoS varsets then a request without cause. */
  callerHangup(ch: SimChannel): void {
    if (ch.destroyed) return;
    if (ch.inStasis) {
      if (ch.technology === 'PJSIP') this.qosBurst(ch);
      this.chanEvent('ChannelHangupRequest', ch, ch.technology === 'PJSIP' ? {} : { cause: 16 });
      this.leaveStasis(ch);
    }
    this.destroy(ch, 16);
  }

  destroy(ch: SimChannel, cause: number): void {
    if (ch.destroyed) return;
    ch.destroyed = true;
    ch.pendingDial?.();
    ch.pendingDial = null;
    const br = ch.bridgeId ? this.bridges.get(ch.bridgeId) : undefined;
    if (br) this.removeFromBridge(br, ch);
    if (ch.kind === 'externalMedia' || ch.kind === 'originated') ch.dialplan = { ...ch.dialplan, ...OUTGOING_LINE };
    this.chanEvent('ChannelDestroyed', ch, { cause, cause_txt: causeText(cause) });
    this.channels.delete(ch.id);
    ch.rtp?.close();
    ch.call?.stopAudio();
    const peer = ch.localPeer;
    if (peer && !peer.destroyed) {
      this.chanEvent('ChannelHangupRequest', peer, { cause });
      this.destroy(peer, cause);
    }
  }

  private qosBurst(ch: SimChannel): void {
    const br = ch.bridgeId ? this.bridges.get(ch.bridgeId) : undefined;
    const others = br ? this.members(br).filter((m) => m !== ch) : [];
    const ssrc = (Math.random() * 0x1_0000_0000) >>> 0;
    const values: [string, string][] = [
      ['RTPAUDIOQOS', `ssrc=${ssrc};themssrc=${(ssrc ^ 0x5a5a5a5a) >>> 0};lp=0;rxjitter=0.000000;rxcount=0;txjitter=0.000000;txcount=0;rlp=0;rtt=0.000000;rxmes=0.000000;txmes=0.000000`],
      ['RTPAUDIOQOSJITTER', 'minrxjitter=000.000000;maxrxjitter=000.000000;avgrxjitter=000.000000;stdevrxjitter=000.000000;mintxjitter=000.000000;maxtxjitter=000.000000;avgtxjitter=000.000000;stdevtxjitter=000.000000;'],
      ['RTPAUDIOQOSLOSS', '  minrxlost=000.000000;  maxrxlost=000.000000;  avgrxlost=000.000000;  stdevrxlost=000.000000;  mintxlost=000.000000;  maxtxlost=000.000000;  avgtxlost=000.000000;  stdevtxlost=000.000000;'],
      ['RTPAUDIOQOSRTT', '     minrtt=000.000000;     maxrtt=000.000000;     avgrtt=000.000000;     stdevrtt=000.000000;'],
      ['RTPAUDIOQOSMES', '   minrxmes=000.000000;   maxrxmes=000.000000;   avgrxmes=000.000000;   stdevrxmes=000.000000;   mintxmes=000.000000;   maxtxmes=000.000000;   avgtxmes=000.000000;   stdevtxmes=000.000000;'],
    ];
    for (const [name, value] of values) {
      this.setVar(ch, name, value);
      for (const o of others) this.setVar(o, `${name}BRIDGED`, value);
    }
  }

  // ---- media ----------------------------------------------------------------------------------------------

  /** ExternalMedia peers that hear `ch`: those in the same bridge. */
  peersHearing(ch: SimChannel): RtpPeer[] {
    const br = ch.bridgeId ? this.bridges.get(ch.bridgeId) : undefined;
    if (!br) return [];
    return this.members(br)
      .filter((m) => m !== ch && m.rtp?.isOpen)
      .map((m) => m.rtp as RtpPeer);
  }

  isSoftmixed(ch: SimChannel): boolean {
    const br = ch.bridgeId ? this.bridges.get(ch.bridgeId) : undefined;
    return br?.technology === 'softmix';
  }

  /** Forward one frame from `ch` to every peer in its bridge. False when nobody hears it (frame lost). */
  sendFrame(ch: SimChannel, frame: AudioFrame): boolean {
    const peers = this.peersHearing(ch);
    for (const peer of peers) peer.sendFrame(resampleLinear(frame.pcm, frame.sampleRate, peer.sampleRate));
    return peers.length > 0;
  }

  /** softmix: a steady 20 ms clock toward every ExternalMedia member, silence included, mixing the callers. */
  private startClock(br: SimBridge): void {
    if (this.clocks.has(br.id)) return;
    const t = setInterval(() => {
      const members = this.members(br);
      const frames = members.map((m) => ({ from: m, frame: m.call?.takeFrame() ?? null }));
      for (const target of members) {
        if (!target.rtp?.isOpen) continue;
        const n = samplesPerFrame(target.rtp.sampleRate);
        const mix = new Int32Array(n);
        for (const { from, frame } of frames) {
          if (!frame || from === target) continue;
          const pcm = resampleLinear(frame.pcm, frame.sampleRate, target.rtp.sampleRate);
          for (let i = 0; i < n; i++) mix[i] = (mix[i] ?? 0) + (pcm[i] ?? 0);
        }
        target.rtp.sendFrame(Int16Array.from(mix, (v) => Math.max(-32768, Math.min(32767, v))));
      }
    }, FRAME_MS);
    this.clocks.set(br.id, t);
  }

  private stopClock(br: SimBridge): void {
    const t = this.clocks.get(br.id);
    if (t) clearInterval(t);
    this.clocks.delete(br.id);
  }
}
