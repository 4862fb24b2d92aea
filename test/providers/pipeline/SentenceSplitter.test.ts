import { describe, expect, it } from 'vitest';
import { SentenceSplitter } from '../../../src/providers/pipeline/SentenceSplitter.js';

function splitAll(text: string): string[] {
  const s = new SentenceSplitter();
  return [...s.push(text), ...s.flush()];
}

/** Same text fed one character at a time (the worst case of token streaming). */
function splitStreamed(text: string): string[] {
  const s = new SentenceSplitter();
  const out: string[] = [];
  for (const ch of text) out.push(...s.push(ch));
  return [...out, ...s.flush()];
}

const FIXTURES: Array<[string, string[]]> = [
  ['Dr. Smith will see you at 3.5 p.m. today. Anything else?', ['Dr. Smith will see you at 3.5 p.m. today.', 'Anything else?']],
  ['Mr. and Mrs. Jones are here. Prof. Lee is not.', ['Mr. and Mrs. Jones are here.', 'Prof. Lee is not.']],
  ['We ship to the U.S. and Canada. Bring fruit, e.g. apples.', ['We ship to the U.S. and Canada.', 'Bring fruit, e.g. apples.']],
  ['I work for the U.S. Government.', ['I work for the U.S. Government.']],
  ['Wait... let me check. Okay!', ['Wait... let me check.', 'Okay!']],
  ['Hmm… Let me see. Really?! Yes.', ['Hmm…', 'Let me see.', 'Really?!', 'Yes.']],
  ['The price is $3.50 per item. Send it to bob@mail.com today.', ['The price is $3.50 per item.', 'Send it to bob@mail.com today.']],
  ['He said "Hello." Then he left.', ['He said "Hello."', 'Then he left.']],
  ['John F. Kennedy spoke. Next.', ['John F. Kennedy spoke.', 'Next.']],
  ['Options:\n1. First choice\n2. Second choice', ['Options:', '1. First choice', '2. Second choice']],
  ['No trailing punctuation here', ['No trailing punctuation here']],
  ['', []],
];

describe('SentenceSplitter', () => {
  it.each(FIXTURES)('splits %j', (text, expected) => {
    expect(splitAll(text)).toEqual(expected);
  });

  it.each(FIXTURES)('splits %j identically when streamed one character at a time', (text, expected) => {
    expect(splitStreamed(text)).toEqual(expected);
  });

  it('releases the first sentence as soon as the next one starts, before the stream ends', () => {
    const s = new SentenceSplitter();
    expect(s.push('Sure thing.')).toEqual([]);
    expect(s.push(' ')).toEqual([]);
    expect(s.push('Your')).toEqual(['Sure thing.']);
    expect(s.push(' order shipped')).toEqual([]);
    expect(s.flush()).toEqual(['Your order shipped']);
  });

  it('splits a run-on sentence at a clause mark once it exceeds maxChars', () => {
    const s = new SentenceSplitter({ maxChars: 40 });
    const out = s.push('first we do this, then that, and then the other thing and more and more');
    expect(out[0]).toBe('first we do this, then that,');
    expect([...out.slice(1), ...s.flush()].join(' ')).toBe('and then the other thing and more and more');
  });

  it('drops buffered text on reset', () => {
    const s = new SentenceSplitter();
    s.push('Half a sent');
    s.reset();
    expect(s.flush()).toEqual([]);
  });
});
