import type { ClientEvent, ResponsePurpose } from './clientEvents.js';

export interface PendingCreate {
  event: ClientEvent;
  kind: ResponsePurpose;
  /** Our reference, sent as response metadata and echoed in `response.created`. */
  ref: string;
}

/**
 * Our `response.create` requests. Only one response may be active in the conversation, so requests wait until
 * none is active and nothing of ours is in flight; one rejected with `conversation_already_has_active_response`
 * goes back to the front and is retried after the next `response.done`. Pure and synchronous.
 */
export class ResponseRequests {
  readonly #queue: PendingCreate[] = [];
  readonly #inflight = new Map<string, PendingCreate>();

  enqueue(p: PendingCreate): void {
    this.#queue.push(p);
  }

  get hasInflight(): boolean {
    return this.#inflight.size > 0;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** The next request to send, if any (the caller checks that no response is active). */
  take(): PendingCreate | undefined {
    if (this.#inflight.size > 0) return undefined;
    return this.#queue.shift();
  }

  sent(eventId: string, p: PendingCreate): void {
    this.#inflight.set(eventId, p);
  }

  /**
   * A `response.created` arrived: which of our requests is it? Matched by metadata ref; for a server whose
   * responses carry no metadata field at all, the oldest in-flight request. Undefined: the server made it (VAD turn).
   */
  created(ref: string | undefined, hasMetadataField: boolean): PendingCreate | undefined {
    for (const [id, p] of this.#inflight) {
      if ((ref !== undefined && p.ref === ref) || (!hasMetadataField && ref === undefined)) {
        this.#inflight.delete(id);
        return p;
      }
    }
    return undefined;
  }

  /** `conversation_already_has_active_response` for `eventId`: put it back at the front. True when it was ours. */
  rejected(eventId: string | undefined): boolean {
    const key = eventId !== undefined && this.#inflight.has(eventId) ? eventId : this.#inflight.keys().next().value;
    if (key === undefined) return false;
    const p = this.#inflight.get(key)!;
    this.#inflight.delete(key);
    this.#queue.unshift(p);
    return true;
  }

  /** The socket is gone: requests that never got a `response.created` are sent again on the next session. */
  requeueInflight(): void {
    const pending = [...this.#inflight.values()];
    this.#inflight.clear();
    this.#queue.unshift(...pending);
  }

  /** Drops everything (close); returns the refs that will never be answered. */
  clear(): string[] {
    const refs = [...this.#queue, ...this.#inflight.values()].map((p) => p.ref);
    this.#queue.length = 0;
    this.#inflight.clear();
    return refs;
  }
}
