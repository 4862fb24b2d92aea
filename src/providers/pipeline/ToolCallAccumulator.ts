/**
 * Accumulates streamed Chat Completions tool-call fragments (PROTOCOL §8). Pure.
 *
 * Fragments are keyed on `index`; `id`, `type` and `function.name` arrive only in the first fragment of an index
 * (local servers may send everything at once), every `function.arguments` piece is appended in order. A missing
 * or empty id becomes `call_<index>`. Calls are returned in index order.
 */

export interface ToolCallFragment {
  index: number;
  id?: string | null | undefined;
  type?: string | null | undefined;
  function?: { name?: string | null | undefined; arguments?: string | null | undefined } | null | undefined;
}

export interface AccumulatedToolCall {
  id: string;
  name: string;
  arguments: string;
}

export class ToolCallAccumulator {
  readonly #byIndex = new Map<number, { id: string; name: string; args: string }>();
  /** Fragments without a usable index: counted and dropped. */
  badFragments = 0;

  push(fragments: readonly ToolCallFragment[] | null | undefined): void {
    if (!fragments) return;
    for (const f of fragments) {
      if (!Number.isInteger(f.index) || f.index < 0) {
        this.badFragments++;
        continue;
      }
      let acc = this.#byIndex.get(f.index);
      if (acc === undefined) {
        acc = { id: '', name: '', args: '' };
        this.#byIndex.set(f.index, acc);
      }
      if (typeof f.id === 'string' && f.id !== '' && acc.id === '') acc.id = f.id;
      const name = f.function?.name;
      if (typeof name === 'string' && name !== '' && acc.name === '') acc.name = name;
      const args = f.function?.arguments;
      if (typeof args === 'string') acc.args += args;
    }
  }

  get size(): number {
    return this.#byIndex.size;
  }

  /** The complete calls, in index order. Calls that never got a name are dropped (nothing to run). */
  calls(): AccumulatedToolCall[] {
    return [...this.#byIndex.entries()]
      .sort(([a], [b]) => a - b)
      .filter(([, c]) => c.name !== '')
      .map(([index, c]) => ({ id: c.id === '' ? `call_${index}` : c.id, name: c.name, arguments: c.args === '' ? '{}' : c.args }));
  }
}
