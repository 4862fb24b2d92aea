/**
 * Seeded PRNG (mulberry32) and mutation helpers for the fuzz tests: every run sees the same cases, and a failure
 * prints the seed and case index needed to replay it.
 */
export class Prng {
  #state: number;

  constructor(readonly seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  bool(p = 0.5): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)] as T;
  }

  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(0, 255);
    return b;
  }

  /** Flip, overwrite, insert, delete or truncate a few bytes of a copy of `buf`. */
  mutateBytes(buf: Buffer): Buffer {
    let out = Buffer.from(buf);
    const edits = this.int(1, 4);
    for (let e = 0; e < edits; e++) {
      const at = out.length === 0 ? 0 : this.int(0, out.length - 1);
      switch (this.int(0, 4)) {
        case 0:
          if (out.length > 0) out[at] = (out[at] as number) ^ (1 << this.int(0, 7));
          break;
        case 1:
          if (out.length > 0) out[at] = this.int(0, 255);
          break;
        case 2:
          out = Buffer.concat([out.subarray(0, at), this.bytes(this.int(1, 8)), out.subarray(at)]);
          break;
        case 3:
          out = Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + this.int(1, 8)))]);
          break;
        default:
          out = out.subarray(0, this.int(0, out.length));
      }
    }
    return out;
  }

  /** A random JSON-able value (bounded depth): the wrong types a mutated field may get. */
  jsonValue(depth = 0): unknown {
    // Huge strings are rare (1 in 40): enough to prove they are handled, few enough to keep the fuzz fast.
    if (this.bool(0.025)) return 'A'.repeat(this.pick([100_000, 1_000_000]) / (this.bool(0.9) ? 10 : 1));
    switch (this.int(0, depth > 2 ? 5 : 7)) {
      case 0:
        return null;
      case 1:
        return this.bool();
      case 2:
        return this.pick([0, -1, 1.5, 2 ** 53, -(2 ** 31), Number.MAX_VALUE, 1e-300]);
      case 3:
        return this.pick(['', 'x', '💥', '\u0000', 'null', '{"type":"x"}', '../../etc/passwd']);
      case 4:
        return 'A'.repeat(this.pick([300, 5_000]));
      case 5:
        return this.int(0, 65535);
      case 6:
        return Array.from({ length: this.int(0, 4) }, () => this.jsonValue(depth + 1));
      default: {
        const o: Record<string, unknown> = {};
        for (let i = this.int(0, 4); i > 0; i--) o[this.pick(['type', 'id', 'channel', 'a', 'event_id', 'x'])] = this.jsonValue(depth + 1);
        return o;
      }
    }
  }

  /**
   * Mutate a JSON object tree: delete a field, replace a value with another type, add an unknown field, or swap in
   * a huge string. Returns a deep copy; the input is untouched.
   */
  mutateJson<T>(value: T, edits = this.int(1, 3)): unknown {
    const copy = JSON.parse(JSON.stringify(value)) as unknown;
    for (let e = 0; e < edits; e++) {
      const paths = collectPaths(copy);
      if (paths.length === 0) return this.jsonValue();
      const path = this.pick(paths);
      const parentPath = path.slice(0, -1);
      const key = path[path.length - 1] as string | number;
      const parent = parentPath.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], copy) as Record<string | number, unknown>;
      switch (this.bool(0.03) ? 3 : this.int(0, 2)) {
        case 0:
          if (Array.isArray(parent)) parent.splice(key as number, 1);
          else delete parent[key];
          break;
        case 1:
          parent[key] = this.jsonValue();
          break;
        case 2:
          if (!Array.isArray(parent)) parent[`unknown_${this.int(0, 99)}`] = this.jsonValue();
          break;
        default:
          parent[key] = 'Z'.repeat(this.pick([10_000, 200_000])); // huge string in a known field
      }
    }
    return copy;
  }
}

function collectPaths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (v === null || typeof v !== 'object') return out;
  const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v as Record<string, unknown>);
  for (const [k, child] of entries) {
    const p = [...prefix, k];
    out.push(p);
    collectPaths(child, p, out);
  }
  return out;
}

/** Asserts no unhandled rejection or uncaught exception happens while a test file runs. */
export function trackUnhandled(): { readonly rejections: unknown[]; dispose(): void } {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown): void => {
    rejections.push(reason);
  };
  process.on('unhandledRejection', onRejection);
  return {
    rejections,
    dispose: () => {
      process.off('unhandledRejection', onRejection);
    },
  };
}
