import { describe, expect, it } from 'vitest';
import { heardText } from '../../../src/providers/pipeline/heardText.js';

const S = [
  { text: 'Your order shipped yesterday.', audioMs: 2000, complete: true },
  { text: 'It should arrive on Monday morning.', audioMs: 2000, complete: true },
  { text: 'Anything else?', audioMs: 1000, complete: true },
];

describe('heardText', () => {
  it('keeps everything when all audio was played', () => {
    expect(heardText(S, 5000)).toEqual({ text: S.map((s) => s.text).join(' '), truncated: false });
  });

  it('keeps fully played sentences and drops the unplayed ones', () => {
    expect(heardText(S, 2000)).toEqual({ text: 'Your order shipped yesterday.', truncated: true });
  });

  it('keeps the sentence playing at the cut up to the proportional whole word, with an ellipsis', () => {
    // 1000 of 2000 ms into a 35-char sentence → position 17 ("It should arrive |on…") → whole words before it.
    expect(heardText(S, 3000)).toEqual({ text: 'Your order shipped yesterday. It should arrive…', truncated: true });
  });

  it('drops the playing sentence when not one word of it was heard', () => {
    expect(heardText(S, 2100)).toEqual({ text: 'Your order shipped yesterday.', truncated: true });
  });

  it('returns nothing when nothing was played', () => {
    expect(heardText(S, 0)).toEqual({ text: '', truncated: true });
  });

  it('estimates the length of a sentence still being synthesised from its characters', () => {
    const streaming = [{ text: 'One two three four five six seven eight nine ten.', audioMs: 500, complete: false }];
    // 50 chars × 70 ms = 3500 ms estimated; 1750 ms played → position 25 → "One two three four five…"
    expect(heardText(streaming, 1750)).toEqual({ text: 'One two three four five…', truncated: true });
  });

  it('drops text that never got audio', () => {
    expect(heardText([...S.slice(0, 1), { text: 'Not yet spoken.', audioMs: 0, complete: false }], 9000)).toEqual({
      text: 'Your order shipped yesterday.',
      truncated: true,
    });
  });
});
