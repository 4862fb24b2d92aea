import { EventEmitter } from 'node:events';

/**
 * EventEmitter with a typed event map: `TypedEmitter<{ audio: [AgentAudio]; error: [ProviderError] }>`.
 * Listener exceptions are the listener's problem; emitters here never rely on a listener succeeding.
 */
export type EventMap = Record<string, unknown[]>;

export class TypedEmitter<E extends EventMap> {
  readonly #ee = new EventEmitter({ captureRejections: false });

  constructor() {
    this.#ee.setMaxListeners(50);
  }

  on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#ee.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#ee.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#ee.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  protected emit<K extends keyof E & string>(event: K, ...args: E[K]): boolean {
    return this.#ee.emit(event, ...args);
  }

  removeAllListeners(): this {
    this.#ee.removeAllListeners();
    return this;
  }

  listenerCount<K extends keyof E & string>(event: K): number {
    return this.#ee.listenerCount(event);
  }
}
