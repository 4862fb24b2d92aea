/**
 * Tool results the pipeline waits for before calling the model again. Results may arrive before anyone waits
 * (fast tools), so ids are registered first and resolved ones remembered until waited for.
 */
export class ToolWaiter {
  readonly #pending = new Set<string>();
  readonly #waiters = new Set<{ ids: string[]; wake: () => void }>();

  register(ids: readonly string[]): void {
    for (const id of ids) this.#pending.add(id);
  }

  /** Marks a result as in; false when the id was not pending. */
  resolve(id: string): boolean {
    const had = this.#pending.delete(id);
    for (const w of this.#waiters) if (w.ids.every((i) => !this.#pending.has(i))) w.wake();
    return had;
  }

  /** Resolves when none of `ids` is pending any more, or when `signal` aborts (never rejects). */
  waitFor(ids: readonly string[], signal: AbortSignal): Promise<void> {
    if (ids.every((i) => !this.#pending.has(i)) || signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const w = {
        ids: [...ids],
        wake: (): void => {
          this.#waiters.delete(w);
          signal.removeEventListener('abort', w.wake);
          resolve();
        },
      };
      this.#waiters.add(w);
      signal.addEventListener('abort', w.wake, { once: true });
    });
  }

  /** Wakes every waiter (provider closing). */
  cancelAll(): void {
    for (const w of [...this.#waiters]) w.wake();
    this.#pending.clear();
  }
}
