import type { Logger } from 'pino';
import type { AriRest } from '../ari/AriRest.js';
import { playbackIdFor } from './callIds.js';

/**
 * Asterisk sounds played to one caller, each awaited until its PlaybackFinished (routed here by the controller,
 * matched by a playback id we choose), bounded so a lost event never holds the caller.
 */
export class ChannelPlayback {
  #count = 0;
  readonly #waiters = new Map<string, () => void>();

  constructor(
    private readonly rest: AriRest,
    private readonly callId: string,
    private readonly logger: Logger,
  ) {}

  /** Play `media` (e.g. `sound:an-error-has-occurred`) and resolve when it has finished or `timeoutMs` passed. Never rejects. */
  async play(media: string, timeoutMs: number): Promise<void> {
    const id = playbackIdFor(this.callId, ++this.#count);
    let timer: NodeJS.Timeout | undefined;
    const finished = new Promise<void>((resolve) => {
      this.#waiters.set(id, resolve);
      timer = setTimeout(resolve, timeoutMs);
    });
    try {
      await this.rest.play(this.callId, media, id);
      await finished;
    } catch (err) {
      this.logger.warn({ err, media }, 'could not play sound');
    } finally {
      clearTimeout(timer);
      this.#waiters.delete(id);
    }
  }

  onFinished(playbackId: string): void {
    this.#waiters.get(playbackId)?.();
  }

  /** The call is ending: nothing waits for a sound any more. */
  releaseAll(): void {
    for (const release of this.#waiters.values()) release();
  }
}
