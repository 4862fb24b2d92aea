import type { Logger } from 'pino';
import type { AriRest } from '../ari/AriRest.js';
import type { BridgedTransferResult } from '../tools/CallControl.js';

/**
 * One attended ("bridged") transfer attempt: the caller hears hold music while the target is originated into our
 * app; the attempt ends answered (target bridged with the caller), busy, no answer, failed or cancelled.
 * Outcomes come from ARI events routed here by the controller (the leg's StasisStart = answered; its
 * ChannelDestroyed before that = busy/no answer by Q.850 cause), bounded by a ring timer.
 */
export interface BridgedTransferOptions {
  rest: AriRest;
  app: string;
  callerChannelId: string;
  bridgeId: string;
  legId: string;
  endpoint: string;
  timeoutMs: number;
  callerId?: string | undefined;
  mohClass?: string | undefined;
  logger: Logger;
}

/** Extra time past the originate timeout before we give up ourselves (Asterisk's own timer fires first). */
const RING_GRACE_MS = 2_000;

export class BridgedTransfer {
  #settled = false;
  #resolve: (r: BridgedTransferResult) => void = () => undefined;
  readonly outcome: Promise<BridgedTransferResult>;
  #timer: NodeJS.Timeout | undefined;
  #mohOn = false;

  constructor(private readonly o: BridgedTransferOptions) {
    this.outcome = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  get legId(): string {
    return this.o.legId;
  }

  get settled(): boolean {
    return this.#settled;
  }

  async start(): Promise<void> {
    const { rest, o } = { rest: this.o.rest, o: this.o };
    try {
      await rest.startMoh(o.callerChannelId, o.mohClass);
      this.#mohOn = true;
    } catch (err) {
      // Hold music is a comfort, not a requirement: ring anyway.
      o.logger.warn({ err }, 'could not start hold music');
    }
    this.#timer = setTimeout(() => void this.#giveUp('no_answer'), o.timeoutMs + RING_GRACE_MS);
    try {
      await rest.originate({
        endpoint: o.endpoint,
        app: o.app,
        appArgs: `transfer,${o.callerChannelId}`,
        channelId: o.legId,
        callerId: o.callerId,
        timeoutS: Math.ceil(o.timeoutMs / 1000),
      });
    } catch (err) {
      o.logger.warn({ err }, 'transfer originate failed');
      await this.#finish('failed');
    }
  }

  /** The target answered: its channel entered our app. Bridge it with the caller. */
  async onLegAnswered(): Promise<void> {
    if (this.#settled) {
      // Answered after we gave up or cancelled: do not leave it ringing into nothing.
      await this.o.rest.hangup(this.o.legId).catch(() => undefined);
      return;
    }
    try {
      await this.o.rest.addChannel(this.o.bridgeId, this.o.legId);
    } catch (err) {
      this.o.logger.warn({ err }, 'could not bridge the transfer target');
      await this.o.rest.hangup(this.o.legId).catch(() => undefined);
      await this.#finish('failed');
      return;
    }
    await this.#finish('answered');
  }

  /** The leg ended before answering. Q.850: 17 user busy; 18/19 no answer; 21 rejected; others failed. */
  async onLegGone(cause: number): Promise<void> {
    if (this.#settled) return;
    const result: BridgedTransferResult = cause === 17 ? 'busy' : cause === 18 || cause === 19 || cause === 0 ? 'no_answer' : cause === 21 ? 'busy' : 'failed';
    await this.#finish(result);
  }

  async cancel(): Promise<boolean> {
    if (this.#settled) return false;
    await this.#finish('cancelled');
    await this.o.rest.hangup(this.o.legId).catch(() => undefined);
    return true;
  }

  /** The call is ending: stop everything this attempt started. */
  async dispose(): Promise<void> {
    clearTimeout(this.#timer);
    if (!this.#settled) {
      this.#settled = true;
      this.#resolve('cancelled');
      await this.o.rest.hangup(this.o.legId).catch(() => undefined);
    }
  }

  async #giveUp(result: BridgedTransferResult): Promise<void> {
    if (this.#settled) return;
    await this.#finish(result);
    await this.o.rest.hangup(this.o.legId).catch(() => undefined);
  }

  async #finish(result: BridgedTransferResult): Promise<void> {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    if (this.#mohOn) {
      this.#mohOn = false;
      await this.o.rest.stopMoh(this.o.callerChannelId).catch(() => undefined);
    }
    this.o.logger.info({ result }, 'bridged transfer finished');
    this.#resolve(result);
  }
}
