/**
 * Channels and media the app creates: ExternalMedia (UnicastRTP) channels with their RTP peer, originated
 * channels driven by per-endpoint behaviours (answer / busy / no answer), and playbacks. Event sequences follow
 * the Asterisk 22.10.1 traces (Dial "" → ChannelStateChange Up → Dial ANSWER → ChannelVarset STASISSTATUS →
 * StasisStart).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ChannelJson, PlaybackJson } from './ariShapes.js';
import { parseCallerId } from './ariShapes.js';
import type { MediaFormat } from './rtpCodec.js';
import { RtpPeer } from './RtpPeer.js';
import type { EndpointBehavior } from './simModel.js';
import { SimChannel } from './simModel.js';
import type { StasisCore } from './StasisCore.js';

export interface SimOptions {
  /** Which of the externalMedia REST reply and the channel's StasisStart goes out first. */
  externalMediaOrder: 'reply-first' | 'event-first' | 'random';
  /** Fixed lag between the externalMedia reply and the channel's StasisStart; null: random 2–7 ms (observed). */
  externalMediaEventLagMs: number | null;
  /** How long each media URI of a playback "plays" before PlaybackContinuing/PlaybackFinished. */
  playbackDurationMs: number;
  /** Overrides an originate's `timeout` seconds for endpoints set to `{ noAnswer: true }`. */
  noAnswerTimeoutMs: number | null;
  /** Delay before every REST request is handled (slow Asterisk). */
  restLatencyMs: number;
  /** Behaviour of endpoints no `setEndpointBehavior` matches. */
  defaultEndpointBehavior: EndpointBehavior;
}

/** Observed: the StasisStart of an ExternalMedia channel trails its REST reply by 2–7 ms. */
const EVENT_LAG_MIN_MS = 2;
const EVENT_LAG_SPAN_MS = 5;

export interface PlaybackState {
  json: PlaybackJson;
  channel: SimChannel;
  stop: () => void;
}

export class AppChannels {
  readonly playbacks = new Map<string, PlaybackState>();
  private readonly behaviors: { match: string | RegExp; behavior: EndpointBehavior }[] = [];

  constructor(
    private readonly core: StasisCore,
    private readonly options: SimOptions,
  ) {}

  setEndpointBehavior(match: string | RegExp, behavior: EndpointBehavior): void {
    this.behaviors.unshift({ match, behavior });
  }

  behaviorFor(endpoint: string): EndpointBehavior {
    for (const { match, behavior } of this.behaviors) {
      if (typeof match !== 'string' ? match.test(endpoint) : new RegExp(`^${match.split('*').map(escapeRe).join('.*')}$`).test(endpoint)) return behavior;
    }
    return this.options.defaultEndpointBehavior;
  }

  // ---- ExternalMedia --------------------------------------------------------------------------------------

  /**
   * Create the UnicastRTP channel and its RTP socket. `announce()` sends its Dial/StateChange/Dial/Varset/
   * StasisStart sequence; the caller of this method orders it against the REST reply (`eventLagMs`).
   */
  async createExternalMedia(a: { channelId: string | undefined; app: string; externalHost: string; format: MediaFormat; data: string | undefined; variables: Record<string, string> }): Promise<{ reply: ChannelJson; announce: () => void; eventLagMs: number; eventFirst: boolean }> {
    const rtp = await RtpPeer.open(a.externalHost, a.format);
    const id = a.channelId ?? this.core.nextId();
    const name = `UnicastRTP/${a.externalHost}-0x7f${randomBytes(5).toString('hex')}`;
    const empty = { name: '', number: '' };
    const ch = new SimChannel(id, name, 'externalMedia', 'UnicastRTP', {
      state: 'Down',
      caller: empty,
      connected: empty,
      dialplan: { context: 'default', exten: 's', priority: 1, app_name: 'AppDial2', app_data: '(Outgoing Line)' },
    });
    ch.rtp = rtp;
    ch.format = a.format;
    ch.externalHost = a.externalHost;
    for (const [k, v] of Object.entries(a.variables)) ch.variables.set(k, v);
    ch.variables.set('UNICASTRTP_LOCAL_ADDRESS', '127.0.0.1');
    ch.variables.set('UNICASTRTP_LOCAL_PORT', String(rtp.port));
    ch.subscribedApps.add(a.app);
    this.core.channels.set(id, ch);
    const reply: ChannelJson = { ...ch.toJson(), channelvars: { UNICASTRTP_LOCAL_PORT: String(rtp.port), UNICASTRTP_LOCAL_ADDRESS: '127.0.0.1' } };
    const dialstring = `${a.externalHost}/c(${a.format})`;
    const announce = () => {
      if (ch.destroyed) return;
      this.core.hub.publish('Dial', { dialstatus: '', forward: '', dialstring, peer: ch.toJson() }, ch.subscribedApps);
      this.core.setState(ch, 'Up');
      this.core.hub.publish('Dial', { dialstatus: 'ANSWER', forward: '', dialstring, peer: ch.toJson() }, ch.subscribedApps);
      this.core.enterStasis(ch, a.app, a.data ? [a.data] : []);
    };
    const order = this.options.externalMediaOrder === 'random' ? (Math.random() < 0.5 ? 'reply-first' : 'event-first') : this.options.externalMediaOrder;
    return { reply, announce, eventLagMs: this.options.externalMediaEventLagMs ?? EVENT_LAG_MIN_MS + Math.random() * EVENT_LAG_SPAN_MS, eventFirst: order === 'event-first' };
  }

  // ---- originate ------------------------------------------------------------------------------------------

  /** Create the outgoing channel (state Down, returned at once) and start dialing it per its endpoint behaviour. */
  originate(a: { endpoint: string; app: string | undefined; appArgs: string | undefined; callerId: string | undefined; timeoutSec: number; channelId: string | undefined; otherChannelId: string | undefined; variables: Record<string, string> }): { channel: SimChannel; start: () => void } {
    const slash = a.endpoint.indexOf('/');
    const tech = a.endpoint.slice(0, slash);
    const resource = a.endpoint.slice(slash + 1);
    const cid = parseCallerId(a.callerId);
    const suffix = this.core.nextNameSuffix();
    const id = a.channelId ?? this.core.nextId();
    const isLocal = tech === 'Local';
    const [exten = 's', context = 'default'] = isLocal ? resource.split('@') : [];
    const name = isLocal ? `Local/${resource}-${suffix};1` : `${tech}/${resource.split('/')[0]}-${suffix}`;
    const ch = new SimChannel(id, name, 'originated', tech === 'PJSIP' ? 'PJSIP' : 'Local', {
      state: 'Down',
      caller: cid,
      connected: { ...cid },
      dialplan: { context: isLocal ? context : 'default', exten: isLocal ? exten : 's', priority: 1, app_name: 'AppDial2', app_data: '(Outgoing Line)' },
    });
    for (const [k, v] of Object.entries(a.variables)) ch.variables.set(k, v);
    ch.variables.set('__DIALSTRING', resource);
    if (a.app) ch.subscribedApps.add(a.app);
    this.core.channels.set(id, ch);
    let peer: SimChannel | null = null;
    if (isLocal) {
      peer = new SimChannel(a.otherChannelId ?? this.core.nextId(), `Local/${resource}-${suffix};2`, 'localPeer', 'Local', {
        state: 'Ring',
        caller: { ...cid },
        connected: { ...cid },
        dialplan: { context, exten, priority: 1, app_name: '', app_data: '' },
      });
      if (a.app) peer.subscribedApps.add(a.app);
      ch.localPeer = peer;
      this.core.channels.set(peer.id, peer);
    }
    const behavior = this.behaviorFor(a.endpoint);
    const start = () => {
      if (ch.destroyed) return;
      if (peer) {
        this.core.chanEvent('ChannelCallerId', peer, { caller_presentation: 0, caller_presentation_txt: 'Presentation Allowed, Not Screened' });
        this.core.chanEvent('ChannelConnectedLine', peer);
      }
      const dial = (dialstatus: string) => this.core.hub.publish('Dial', { dialstatus, forward: '', dialstring: resource, peer: ch.toJson() }, ch.subscribedApps);
      dial('');
      if ('answerAfterMs' in behavior) {
        ch.pendingDial = this.core.later(behavior.answerAfterMs, () => {
          ch.pendingDial = null;
          this.core.setState(ch, 'Up');
          dial('ANSWER');
          if (a.app && this.core.hub.isAppConnected(a.app)) this.core.enterStasis(ch, a.app, a.appArgs ? a.appArgs.split(',') : []);
          else if (a.app) this.core.destroy(ch, 16);
          if (peer) this.core.setState(peer, 'Up');
        });
      } else {
        const busy = 'busyAfterMs' in behavior;
        const afterMs = busy ? behavior.busyAfterMs : (this.options.noAnswerTimeoutMs ?? behavior.afterMs ?? a.timeoutSec * 1000);
        const cause = busy ? 17 : 19;
        ch.pendingDial = this.core.later(afterMs, () => {
          ch.pendingDial = null;
          dial(busy ? 'BUSY' : 'NOANSWER');
          this.core.chanEvent('ChannelHangupRequest', ch, { cause });
          this.core.destroy(ch, cause);
        });
      }
    };
    return { channel: ch, start };
  }

  // ---- playbacks ------------------------------------------------------------------------------------------

  play(ch: SimChannel, media: string[], playbackId: string | undefined, lang: string | undefined): { json: PlaybackJson; start: () => void } {
    const id = playbackId ?? randomUUID();
    const json: PlaybackJson = { id, media_uri: media[0] ?? '', target_uri: `channel:${ch.id}`, language: lang ?? 'en', state: 'queued' };
    if (media[1]) json.next_media_uri = media[1];
    ch.call?.playedMedia.push(...media);
    let cancel: () => void = () => {};
    let unregister: () => void = () => {};
    const publish = (type: string) => this.core.hub.publish(type, { playback: { ...json } }, ch.subscribedApps);
    const finish = () => {
      cancel();
      unregister();
      if (!this.playbacks.has(id)) return;
      this.playbacks.delete(id);
      json.state = 'done';
      delete json.next_media_uri;
      publish('PlaybackFinished');
    };
    const step = (index: number) => {
      cancel = this.core.later(this.options.playbackDurationMs, () => {
        const next = media[index + 1];
        if (next === undefined) return finish();
        json.media_uri = next;
        json.state = 'continuing';
        if (media[index + 2]) json.next_media_uri = media[index + 2];
        else delete json.next_media_uri;
        publish('PlaybackContinuing');
        step(index + 1);
      });
    };
    const start = () => {
      if (!this.playbacks.has(id)) return;
      json.state = 'playing';
      publish('PlaybackStarted');
      step(0);
    };
    this.playbacks.set(id, { json, channel: ch, stop: finish });
    if (ch.call) unregister = ch.call.addPlaybackStop(finish);
    return { json: { ...json }, start };
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
