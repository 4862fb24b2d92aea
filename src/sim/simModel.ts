/**
 * State objects of the simulated Asterisk: channels and bridges, and their ARI JSON snapshots.
 */
import type { BridgeJson, CallerIdJson, ChannelJson, DialplanJson } from './ariShapes.js';
import { ariTimestamp } from './ariShapes.js';
import type { MediaFormat } from './rtpCodec.js';
import type { RtpPeer } from './RtpPeer.js';
import type { SimCall } from './SimCall.js';

export type ChannelState = 'Down' | 'Rsrvd' | 'OffHook' | 'Dialing' | 'Ring' | 'Ringing' | 'Up' | 'Busy';

/** caller: entered Stasis from the dialplan; externalMedia/originated: created by the app; localPeer: the ;2 half. */
export type ChannelKind = 'caller' | 'externalMedia' | 'originated' | 'localPeer';

export type Technology = 'Local' | 'PJSIP' | 'UnicastRTP';

export interface DialplanTarget {
  context: string;
  extension: string;
  priority: number;
}

export class SimChannel {
  state: ChannelState;
  caller: CallerIdJson;
  connected: CallerIdJson;
  dialplan: DialplanJson;
  readonly creationtime = ariTimestamp();
  readonly variables = new Map<string, string>();
  /** Apps that receive this channel's events. Dialplan channels lose it at StasisEnd; app-created ones keep it. */
  readonly subscribedApps = new Set<string>();
  /** Stasis app the channel is in, or null (not yet / no longer in Stasis). */
  stasisApp: string | null = null;
  stasisArgs: string[] = [];
  bridgeId: string | null = null;
  moh: string | null = null;
  ringing = false;
  destroyed = false;
  rtp: RtpPeer | null = null;
  format: MediaFormat | null = null;
  externalHost: string | null = null;
  call: SimCall | null = null;
  /** The other half of an originated Local channel (;2), which runs the target's dialplan. */
  localPeer: SimChannel | null = null;
  /** Cancels a pending answer/busy/no-answer of an originated channel. */
  pendingDial: (() => void) | null = null;
  protocolId = '';

  constructor(
    readonly id: string,
    readonly name: string,
    readonly kind: ChannelKind,
    readonly technology: Technology,
    init: { state: ChannelState; caller: CallerIdJson; connected: CallerIdJson; dialplan: DialplanJson },
  ) {
    this.state = init.state;
    this.caller = init.caller;
    this.connected = init.connected;
    this.dialplan = init.dialplan;
  }

  get createdByApp(): boolean {
    return this.kind === 'externalMedia' || this.kind === 'originated' || this.kind === 'localPeer';
  }

  get inStasis(): boolean {
    return this.stasisApp !== null;
  }

  toJson(): ChannelJson {
    return {
      id: this.id,
      name: this.name,
      state: this.state,
      protocol_id: this.protocolId,
      caller: { ...this.caller },
      connected: { ...this.connected },
      accountcode: '',
      dialplan: { ...this.dialplan },
      creationtime: this.creationtime,
      language: 'en',
    };
  }
}

export type BridgeTechnology = 'simple_bridge' | 'softmix' | 'holding_bridge';

export class SimBridge {
  readonly channels: string[] = [];
  readonly apps = new Set<string>();
  readonly creationtime = ariTimestamp();
  technology: BridgeTechnology = 'simple_bridge';
  destroyed = false;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly bridgeType: string,
  ) {}

  toJson(): BridgeJson {
    return {
      id: this.id,
      technology: this.technology,
      bridge_type: this.bridgeType,
      bridge_class: 'stasis',
      creator: 'Stasis',
      name: this.name,
      channels: [...this.channels],
      creationtime: this.creationtime,
      video_mode: 'talker',
    };
  }
}

/** What an originated endpoint does, set by the test with `sim.setEndpointBehavior`. */
export type EndpointBehavior = { answerAfterMs: number } | { busyAfterMs: number } | { noAnswer: true; afterMs?: number };
