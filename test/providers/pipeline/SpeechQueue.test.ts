import { describe, expect, it } from 'vitest';
import { SpeechQueue } from '../../../src/providers/pipeline/SpeechQueue.js';

/** A synthesizer whose requests the test releases by hand, recording when each started. */
function manualTts() {
  const started: string[] = [];
  const gates = new Map<string, { chunks: Buffer[]; release: () => void; fail: (e: Error) => void }>();
  const synthesize = (text: string, signal: AbortSignal): AsyncIterable<Buffer> => ({
    async *[Symbol.asyncIterator]() {
      started.push(text);
      await new Promise<void>((release, fail) => {
        gates.set(text, { chunks: [Buffer.from(`${text}-a|`), Buffer.from(`${text}-b|`)], release, fail });
        signal.addEventListener('abort', () => fail(Object.assign(new Error('aborted'), { name: 'AbortError' })), { once: true });
      });
      for (const c of gates.get(text)!.chunks) yield c;
    },
  });
  return { started, synthesize, release: (t: string) => gates.get(t)!.release(), fail: (t: string, e: Error) => gates.get(t)!.fail(e) };
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

describe('SpeechQueue', () => {
  it('synthesises ahead within the concurrency bound and delivers strictly in sentence order', async () => {
    const tts = manualTts();
    const out: string[] = [];
    const q = new SpeechQueue({ synthesize: tts.synthesize, concurrency: 2, bytesPerMs: 1, onAudio: (c) => out.push(c.toString()) });
    q.push('one');
    q.push('two');
    q.push('three');
    q.end();
    await tick();
    expect(tts.started).toEqual(['one', 'two']); // the third waits for a slot
    tts.release('two'); // finishes first, but must wait for "one"
    await tick();
    expect(out).toEqual([]);
    tts.release('one');
    await tick();
    expect(out).toEqual(['one-a|', 'one-b|', 'two-a|', 'two-b|']);
    expect(tts.started).toEqual(['one', 'two', 'three']);
    tts.release('three');
    await q.done;
    expect(out.slice(4)).toEqual(['three-a|', 'three-b|']);
    expect(q.sentences.map((s) => [s.text, s.audioMs, s.complete])).toEqual([
      ['one', 12, true],
      ['two', 12, true],
      ['three', 16, true],
    ]);
  });

  it('rejects done with the first synthesis error and delivers nothing after it', async () => {
    const tts = manualTts();
    const out: string[] = [];
    const q = new SpeechQueue({ synthesize: tts.synthesize, concurrency: 2, bytesPerMs: 1, onAudio: (c) => out.push(c.toString()) });
    q.push('one');
    q.push('two');
    q.end();
    await tick();
    tts.fail('one', new Error('tts 500'));
    tts.release('two');
    await expect(q.done).rejects.toThrow('tts 500');
    await tick();
    expect(out).toEqual([]);
  });

  it('resolves done on abort and ignores later sentences', async () => {
    const tts = manualTts();
    const q = new SpeechQueue({ synthesize: tts.synthesize, concurrency: 2, bytesPerMs: 1, onAudio: () => undefined });
    q.push('one');
    await tick();
    q.abort();
    q.push('two');
    await q.done;
    expect(q.aborted).toBe(true);
    expect(tts.started).toEqual(['one']);
  });
});
