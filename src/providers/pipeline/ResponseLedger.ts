import type { ProviderEvents } from '../VoiceProvider.js';
import type { ConversationHistory } from './ConversationHistory.js';
import type { SpokenResponse } from './SpokenResponse.js';
import { isAbort, type StageName } from './stageClient.js';

/**
 * How each pipeline response ends, and what the history and the transcript say about it afterwards:
 * completed (full text), cut by barge-in (what was heard), failed (what was delivered). Also remembers recent
 * responses by item id, for the session's played-ms report.
 */

/** Responses remembered for barge-in lookups (the session only reports the few still queued for playout). */
const MAX_REMEMBERED_RESPONSES = 16;

type Fire = <K extends keyof ProviderEvents & string>(event: K, ...args: ProviderEvents[K]) => void;

export interface ResponseLedgerDeps {
  history: () => ConversationHistory;
  fire: Fire;
  reportError: (stage: StageName, err: unknown) => void;
}

export class ResponseLedger {
  readonly #responses = new Map<string, SpokenResponse>();
  readonly #d: ResponseLedgerDeps;

  constructor(deps: ResponseLedgerDeps) {
    this.#d = deps;
  }

  add(r: SpokenResponse): void {
    this.#responses.set(r.itemId, r);
    if (this.#responses.size <= MAX_REMEMBERED_RESPONSES) return;
    for (const [id, old] of this.#responses) {
      if (old.state === 'active') continue;
      this.#responses.delete(id);
      if (this.#responses.size <= MAX_REMEMBERED_RESPONSES) break;
    }
  }

  get(itemId: string): SpokenResponse | undefined {
    return this.#responses.get(itemId);
  }

  active(): SpokenResponse[] {
    return [...this.#responses.values()].filter((r) => r.state === 'active');
  }

  complete(r: SpokenResponse): void {
    r.state = 'completed';
    r.dispose();
    const text = r.text.trim();
    if (r.historyId === undefined && text !== '') r.historyId = this.#d.history().addAssistant(text);
    if (text !== '') {
      r.transcriptEmitted = true;
      this.#d.fire('transcript', { role: 'assistant', text, atMs: r.startedAtMs, itemId: r.itemId });
    }
    this.#done(r, 'completed', text);
  }

  /**
   * Barge-in (or a stop) after `playedMs` of the response's audio: generation and synthesis stop, late audio is
   * dropped, and the history and the transcript keep only what was heard (rule in heardText.ts).
   */
  cut(r: SpokenResponse, playedMs: number): void {
    const wasActive = r.state === 'active';
    const heard = r.heard(playedMs);
    if (wasActive) r.stop('cancelled');
    if (!heard.truncated && !wasActive) return; // fully heard: nothing to change
    this.#writeHeard(r, heard.text);
    if (heard.text !== '' || r.transcriptEmitted) {
      r.transcriptEmitted = true;
      this.#d.fire('transcript', { role: 'assistant', text: heard.text, atMs: r.startedAtMs, itemId: r.itemId, truncated: true });
    }
    if (wasActive) this.#done(r, 'cancelled', heard.text);
  }

  /** A response ended by an error or an abort. Returns false (the response did not complete). */
  endFailed(r: SpokenResponse, stage: StageName, err: unknown): false {
    if (r.state !== 'active') return false; // already cut by interrupt/close
    if (isAbort(err) || r.signal.aborted) {
      this.cut(r, r.speech.deliveredMs); // superseded or closed: what was delivered will still play
      return false;
    }
    this.#d.reportError(stage, err);
    // What was delivered still plays; the model must know it said that much, and no more.
    const heard = r.heard(r.speech.deliveredMs);
    r.stop('failed');
    this.#writeHeard(r, heard.text);
    this.#done(r, 'failed', heard.text);
    return false;
  }

  #writeHeard(r: SpokenResponse, text: string): void {
    if (r.historyId !== undefined) this.#d.history().setAssistantText(r.historyId, text);
    else if (text !== '') r.historyId = this.#d.history().addAssistant(text);
  }

  #done(r: SpokenResponse, status: 'completed' | 'cancelled' | 'failed', text: string): void {
    this.#d.fire('responseDone', {
      responseId: r.responseId,
      status,
      greeting: r.kind === 'greeting',
      ...(text !== '' ? { text } : {}),
      hadAudio: r.hadAudio,
    });
  }
}
