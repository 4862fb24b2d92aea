/**
 * Idle deadline for a streamed response body. The SDK's `timeout` ends when the response headers arrive; a body
 * that stalls afterwards (a stuck TTS or LLM server) would hold the turn forever. `touch()` on every chunk; when
 * nothing arrives for `idleMs` the stream is aborted and `timedOut` says why. Also follows a parent signal.
 */
export class StreamDeadline {
  readonly #controller = new AbortController();
  readonly #idleMs: number;
  readonly #parent: AbortSignal | undefined;
  readonly #onParentAbort = (): void => this.#controller.abort();
  #timer: NodeJS.Timeout | undefined;
  timedOut = false;

  constructor(idleMs: number, parent?: AbortSignal) {
    this.#idleMs = idleMs;
    this.#parent = parent;
    if (parent?.aborted) this.#controller.abort();
    else parent?.addEventListener('abort', this.#onParentAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** (Re)arms the idle timer. */
  touch(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.timedOut = true;
      this.#controller.abort();
    }, this.#idleMs);
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#parent?.removeEventListener('abort', this.#onParentAbort);
  }
}
