/**
 * A faithful fake Asterisk 22.10.1 for tests: ARI REST + events websocket on 127.0.0.1 (enough for npm
 * `ari-client` 2.2.0 and plain HTTP), callers that enter Stasis like dialplan calls do, ExternalMedia channels
 * with real UDP RTP peers, originate with scripted endpoints, and fault injection. See README.md in this folder
 * for which observed behaviours are reproduced.
 */
import { AppChannels } from './AppChannels.js';
import type { PlaybackState, SimOptions } from './AppChannels.js';
import { AriHttpServer } from './AriHttpServer.js';
import type { LoggedRequest, RestDownMode } from './AriHttpServer.js';
import type { AriEvent } from './ariShapes.js';
import { EventHub } from './EventHub.js';
import type { LoggedEvent } from './EventHub.js';
import { SimCall } from './SimCall.js';
import { SimChannel } from './simModel.js';
import type { EndpointBehavior, SimBridge } from './simModel.js';
import { StasisCore } from './StasisCore.js';

export interface AriSimulatorConfig {
  username?: string;
  password?: string;
  /** Stasis app callers enter by default (the dialplan's `Stasis(<app>)`). */
  app?: string;
  port?: number;
  options?: Partial<SimOptions>;
}

export interface PlaceCallOptions {
  technology?: 'Local' | 'PJSIP';
  callerNumber?: string;
  callerName?: string;
  /** Channel variables set by the dialplan before Stasis(), e.g. `{ AI_CONTEXT: 'demo' }`. */
  variables?: Record<string, string>;
  app?: string;
  args?: string[];
  /** Dialplan context of the Stasis() line (default `from-ai-agent`, priority 4 as in the lab dialplan). */
  context?: string;
  priority?: number;
  /** PJSIP endpoint name for the channel name `PJSIP/<endpoint>-0000000N` (default `1001`). */
  endpoint?: string;
}

const DEFAULT_APP = 'asterisk-ai-voice-agent';
/** waitForEvent/waitFor default: generous for a loaded 2-core CI box, short enough to fail a test quickly. */
const DEFAULT_WAIT_MS = 5000;

export class AriSimulator {
  readonly options: SimOptions;
  readonly username: string;
  readonly password: string;
  readonly app: string;
  private readonly hub = new EventHub();
  private readonly core = new StasisCore(this.hub);
  private readonly appChannels: AppChannels;
  private readonly http: AriHttpServer;
  private readonly calls: SimCall[] = [];
  private closed = false;

  private constructor(config: AriSimulatorConfig) {
    this.username = config.username ?? 'asterisk';
    this.password = config.password ?? 'secret';
    this.app = config.app ?? DEFAULT_APP;
    this.options = {
      externalMediaOrder: 'reply-first',
      externalMediaEventLagMs: null,
      playbackDurationMs: 200,
      noAnswerTimeoutMs: null,
      restLatencyMs: 0,
      defaultEndpointBehavior: { answerAfterMs: 10 },
      ...config.options,
    };
    this.appChannels = new AppChannels(this.core, this.options);
    this.http = new AriHttpServer({ core: this.core, appChannels: this.appChannels, options: this.options, startedAt: new Date() }, this.hub, {
      username: this.username,
      password: this.password,
    });
  }

  static async start(config: AriSimulatorConfig = {}): Promise<AriSimulator> {
    const sim = new AriSimulator(config);
    await sim.http.start(config.port ?? 0);
    return sim;
  }

  get port(): number {
    return this.http.listeningPort;
  }

  /** `http://127.0.0.1:<port>`: the base URL for ari-client (`/ari` is added by the client). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  // ---- scenario -------------------------------------------------------------------------------------------

  /**
   * A call reaches `Stasis(app[,args])` in the dialplan. With the app connected: StasisStart (state Ring).
   * Without: it goes on in the dialplan with STASISSTATUS=FAILED (`call.stasisStatus`), no event.
   */
  placeCall(opts: PlaceCallOptions = {}): SimCall {
    const tech = opts.technology ?? 'Local';
    const app = opts.app ?? this.app;
    const args = opts.args ?? [];
    const context = opts.context ?? 'from-ai-agent';
    const caller = { name: opts.callerName ?? 'Lab Caller', number: opts.callerNumber ?? '5551234' };
    const suffix = this.core.nextNameSuffix();
    if (tech === 'Local') this.core.nextId(); // the ;1 half, outside Stasis, takes the id before ours
    const id = this.core.nextId();
    const name = tech === 'Local' ? `Local/s@${context}-${suffix};2` : `PJSIP/${opts.endpoint ?? '1001'}-${suffix}`;
    const ch = new SimChannel(id, name, 'caller', tech, {
      state: 'Ring',
      caller,
      connected: tech === 'Local' ? { ...caller } : { name: '', number: '' },
      dialplan: { context, exten: 's', priority: opts.priority ?? 4, app_name: 'Stasis', app_data: [app, ...args].join(',') },
    });
    if (tech === 'PJSIP') ch.protocolId = `${Math.floor(Math.random() * 9000) + 1}-${Math.floor(Math.random() * 9000) + 1}@127.0.0.1`;
    for (const [k, v] of Object.entries(opts.variables ?? {})) ch.variables.set(k, v);
    const call = new SimCall(this.core, ch);
    ch.call = call;
    this.calls.push(call);
    this.core.channels.set(id, ch);
    if (this.hub.isAppConnected(app)) {
      this.core.enterStasis(ch, app, args);
    } else {
      ch.variables.set('STASISSTATUS', 'FAILED');
      call.stasisStatus = 'FAILED';
      ch.dialplan = { ...ch.dialplan, priority: ch.dialplan.priority + 1, app_name: '', app_data: '' };
    }
    return call;
  }

  /** How originated endpoints behave; `*` wildcards or a RegExp; the latest matching rule wins. */
  setEndpointBehavior(endpointOrPattern: string | RegExp, behavior: EndpointBehavior): void {
    this.appChannels.setEndpointBehavior(endpointOrPattern, behavior);
  }

  // ---- faults ---------------------------------------------------------------------------------------------

  /** The server drops every events websocket without a close frame. Channels stay in Stasis. */
  dropWebsockets(): void {
    this.hub.dropAll();
  }

  /** REST away: 'reset' destroys each connection (ECONNRESET), 503 answers "Asterisk not booted". */
  setRestDown(down: boolean, mode: RestDownMode = 'reset'): void {
    this.http.restDown = down ? mode : null;
  }

  /** Asterisk gone: connection refused on REST and websocket, sockets cut. State is kept. */
  stopHttp(): Promise<void> {
    return this.http.stop();
  }

  /** Asterisk back on the same port. */
  async startHttp(): Promise<void> {
    await this.http.start(this.port);
  }

  // ---- introspection --------------------------------------------------------------------------------------

  get channels(): ReadonlyMap<string, SimChannel> {
    return this.core.channels;
  }

  get bridges(): ReadonlyMap<string, SimBridge> {
    return this.core.bridges;
  }

  get playbacks(): ReadonlyMap<string, PlaybackState> {
    return this.appChannels.playbacks;
  }

  get requests(): readonly LoggedRequest[] {
    return this.http.requests;
  }

  /** Every event published, one per app it was meant for, delivered or not. */
  get events(): readonly AriEvent[] {
    return this.hub.events;
  }

  get eventLog(): readonly LoggedEvent[] {
    return this.hub.log;
  }

  get placedCalls(): readonly SimCall[] {
    return this.calls;
  }

  /** Open UDP sockets of ExternalMedia channels (0 when the app cleaned up every channel). */
  get rtpPeers(): number {
    return [...this.core.channels.values()].filter((c) => c.rtp?.isOpen).length;
  }

  get websocketCount(): number {
    return this.hub.openCount;
  }

  isAppConnected(app: string = this.app): boolean {
    return this.hub.isAppConnected(app);
  }

  /** First event (already published or future) of `type` matching `predicate`. */
  waitForEvent(type: string, predicate: (e: AriEvent) => boolean = () => true, timeoutMs = DEFAULT_WAIT_MS): Promise<AriEvent> {
    const past = this.hub.events.find((e) => e.type === type && predicate(e));
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const off = this.hub.onEvent((e) => {
        if (e.type !== type || !predicate(e)) return;
        cancel();
        off();
        resolve(e);
      });
      const cancel = this.core.later(timeoutMs, () => {
        off();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${type}`));
      });
    });
  }

  waitFor(cond: () => boolean, timeoutMs = DEFAULT_WAIT_MS, what = 'condition'): Promise<void> {
    return this.core.waitUntil(cond, timeoutMs, what);
  }

  /** Resolves when a websocket for `app` is connected (e.g. after the app reconnects). */
  waitForApp(app: string = this.app, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    return this.waitFor(() => this.hub.isAppConnected(app), timeoutMs, `app ${app} to connect`);
  }

  /** Free every socket and timer. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.core.dispose();
    this.hub.close();
    await this.http.stop();
  }
}
