import { describe, expect, it } from 'vitest';
import { hallucinationReason } from '../../../src/providers/pipeline/hallucinationFilter.js';

const shortQuiet = { durationMs: 500, rmsDbfs: -55 };
const longLoud = { durationMs: 1800, rmsDbfs: -24 };

describe('hallucinationReason', () => {
  it.each(['Thank you.', 'you', ' Bye. ', 'Thanks!', 'Okay.', 'Hmm.'])('drops the filler %j on short quiet audio', (t) => {
    expect(hallucinationReason(t, shortQuiet)).toBe('filler');
  });

  it('keeps a loud, long "Thank you." (a caller really said it)', () => {
    expect(hallucinationReason('Thank you.', longLoud)).toBeNull();
  });

  it('drops a filler on quiet audio even when it is long', () => {
    expect(hallucinationReason('Thank you.', { durationMs: 2500, rmsDbfs: -52 })).toBe('filler');
  });

  it('always drops a lone "you"', () => {
    expect(hallucinationReason('You.', longLoud)).toBe('filler');
  });

  it.each([
    'Subtitles by the Amara.org community',
    'Thanks for watching!',
    'Thank you for watching.',
    'Please subscribe to my channel.',
    'Captions provided by XYZ',
  ])('always drops subtitle credits and sign-offs: %j', (t) => {
    expect(hallucinationReason(t, longLoud)).toBe('credits');
  });

  it.each(['you you you you you you', 'Thank you. Thank you. Thank you.', 'la la la la la'])('drops repeated tokens: %j', (t) => {
    expect(hallucinationReason(t, longLoud)).toBe('repetition');
  });

  it('drops punctuation-only text as empty', () => {
    expect(hallucinationReason(' ... ', longLoud)).toBe('empty');
  });

  it.each(['No, no, no.', 'Where is my order 42?', 'Yes please, thank you.', 'Bye for now, see you tomorrow.'])(
    'keeps real caller speech: %j',
    (t) => {
      expect(hallucinationReason(t, shortQuiet)).toBeNull();
    },
  );
});
