import type { Logger } from 'pino';
import type { OpenedSession } from './openSession.js';

/** Wait at most this long for a quiet moment (no response, no caller speech) before switching anyway. */
const SWITCH_MAX_WAIT_MS = 20_000;
/** Always switch at least this long before the server's hard end (it closes with 1001 at expires_at). */
const EXPIRY_MARGIN_MS = 5_000;
/** A failed pre-open is retried after this, as long as the session has not expired. */
const RETRY_MS = 5_000;

export interface SessionRenewalOptions {
  renewBeforeMs: number;
  isQuiet: () => boolean;
  open: () => Promise<OpenedSession>;
  switchTo: (opened: OpenedSession) => void;
  logger: () => Logger;
}

/**
 * Sessions end at `expires_at` (60 min on GA). This opens the next session `renewBeforeMs` ahead, keeps it
 * ready, and hands it over at a quiet moment (no active response, caller not speaking) so no playing audio is
 * cut, or when waiting longer would risk the hard end.
 */
export class SessionRenewal {
  #timer: NodeJS.Timeout | undefined;
  #forceTimer: NodeJS.Timeout | undefined;
  #staged: OpenedSession | undefined;
  #expiresAtMs: number | undefined;
  #epoch = 0;
  readonly #opts: SessionRenewalOptions;

  constructor(opts: SessionRenewalOptions) {
    this.#opts = opts;
  }

  /** A session became current; plan its successor. */
  schedule(expiresAtMs: number | undefined): void {
    this.cancel();
    this.#expiresAtMs = expiresAtMs;
    if (expiresAtMs === undefined) return;
    this.#arm(Math.max(0, expiresAtMs - this.#opts.renewBeforeMs - Date.now()));
  }

  /** Called when the conversation may have gone quiet (a response finished). */
  quietMoment(): void {
    if (this.#staged && this.#opts.isQuiet()) this.#switch();
  }

  cancel(): void {
    this.#epoch++;
    clearTimeout(this.#timer);
    clearTimeout(this.#forceTimer);
    this.#timer = this.#forceTimer = undefined;
    this.#staged?.transport.close('renewal cancelled');
    this.#staged = undefined;
  }

  #arm(delayMs: number): void {
    this.#timer = setTimeout(() => void this.#prepare(), delayMs);
    this.#timer.unref();
  }

  async #prepare(): Promise<void> {
    const epoch = this.#epoch;
    let opened: OpenedSession;
    try {
      opened = await this.#opts.open();
    } catch (err) {
      if (epoch !== this.#epoch) return;
      const left = (this.#expiresAtMs ?? 0) - Date.now();
      this.#opts.logger().warn({ err: (err as Error).message, leftMs: left }, 'could not pre-open the next realtime session');
      if (left > RETRY_MS + EXPIRY_MARGIN_MS) this.#arm(RETRY_MS);
      return;
    }
    if (epoch !== this.#epoch) {
      opened.transport.close('renewal no longer needed');
      return;
    }
    this.#staged = opened;
    if (this.#opts.isQuiet()) {
      this.#switch();
      return;
    }
    const left = (this.#expiresAtMs ?? Date.now()) - EXPIRY_MARGIN_MS - Date.now();
    this.#forceTimer = setTimeout(() => this.#switch(), Math.max(0, Math.min(SWITCH_MAX_WAIT_MS, left)));
    this.#forceTimer.unref();
  }

  #switch(): void {
    const staged = this.#staged;
    if (!staged) return;
    this.#staged = undefined;
    clearTimeout(this.#forceTimer);
    this.#forceTimer = undefined;
    if (!staged.transport.isOpen) {
      // The pre-opened session died while waiting for a quiet moment: open another rather than install a dead one.
      const left = (this.#expiresAtMs ?? 0) - Date.now();
      this.#opts.logger().warn({ leftMs: left }, 'pre-opened realtime session closed before the switch; opening another');
      if (left > EXPIRY_MARGIN_MS) this.#arm(0);
      return;
    }
    this.#opts.switchTo(staged);
  }
}
