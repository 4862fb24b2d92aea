/**
 * Function calls per response: each call is dispatched once (from `response.output_item.done`), and after the
 * response is done and every call of it has a result, exactly one follow-up `response.create` is due.
 * Pure and synchronous.
 */
export interface CallRecord {
  callId: string;
  name: string;
  responseId: string;
  generation: number;
  hasResult: boolean;
}

interface ResponseCalls {
  callIds: string[];
  done: boolean;
  cancelled: boolean;
  followedUp: boolean;
}

export class ToolCallLedger {
  readonly #calls = new Map<string, CallRecord>();
  readonly #byResponse = new Map<string, ResponseCalls>();

  /** Registers a call; false when it was already dispatched (do not dispatch twice). */
  register(callId: string, name: string, responseId: string, generation: number): boolean {
    if (this.#calls.has(callId)) return false;
    this.#calls.set(callId, { callId, name, responseId, generation, hasResult: false });
    const group = this.#group(responseId);
    group.callIds.push(callId);
    return true;
  }

  get(callId: string): CallRecord | undefined {
    return this.#calls.get(callId);
  }

  /** Marks the result in; undefined for an unknown call id or a second result. */
  result(callId: string): CallRecord | undefined {
    const call = this.#calls.get(callId);
    if (!call || call.hasResult) return undefined;
    call.hasResult = true;
    return call;
  }

  responseDone(responseId: string, cancelled: boolean): void {
    const group = this.#byResponse.get(responseId);
    if (!group) return;
    group.done = true;
    group.cancelled = cancelled;
  }

  /**
   * True once: the response is done, it had calls, all have results, and it was not cancelled by a barge-in
   * (the caller's new turn gets its own response, which sees the outputs).
   */
  takeFollowup(responseId: string): boolean {
    const group = this.#byResponse.get(responseId);
    if (!group || !group.done || group.cancelled || group.followedUp || group.callIds.length === 0) return false;
    if (!group.callIds.every((id) => this.#calls.get(id)?.hasResult)) return false;
    group.followedUp = true;
    return true;
  }

  #group(responseId: string): ResponseCalls {
    let group = this.#byResponse.get(responseId);
    if (!group) {
      group = { callIds: [], done: false, cancelled: false, followedUp: false };
      this.#byResponse.set(responseId, group);
    }
    return group;
  }
}
