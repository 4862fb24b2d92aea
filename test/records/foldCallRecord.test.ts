import { describe, expect, it } from 'vitest';
import type { CallRecordEvent } from '../../src/records/CallRecord.js';
import { foldCallRecord } from '../../src/records/foldCallRecord.js';

describe('foldCallRecord transcript', () => {
  // Regression: the record kept both the full assistant text and its barge-in cut, so emails and `calls show`
  // listed words the caller never heard.
  it('replaces an assistant entry cut by a barge-in (same item id) instead of adding it after the full text', () => {
    const events: CallRecordEvent[] = [
      { type: 'start', atMs: 0, callId: 'c1', caller: { number: '1', name: 'A' }, context: 'd', provider: 'p', profile: 'x' },
      { type: 'transcript', atMs: 10, role: 'assistant', text: 'Hello, how can I help?', itemId: 'greet' },
      { type: 'transcript', atMs: 20, role: 'user', text: 'Opening hours?' },
      { type: 'transcript', atMs: 30, role: 'assistant', text: 'We open at nine and close at five every weekday.', itemId: 'a2' },
      { type: 'transcript', atMs: 30, role: 'assistant', text: 'We open at nine…', itemId: 'a2', truncated: true },
      { type: 'transcript', atMs: 40, role: 'user', text: 'Thanks.' },
    ];
    const record = foldCallRecord(events);
    expect(record.transcript.map((t) => t.text)).toEqual(['Hello, how can I help?', 'Opening hours?', 'We open at nine…', 'Thanks.']);
    expect(record.transcript[2]?.truncated).toBe(true);
  });
});
