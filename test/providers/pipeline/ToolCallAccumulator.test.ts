import { describe, expect, it } from 'vitest';
import { ToolCallAccumulator } from '../../../src/providers/pipeline/ToolCallAccumulator.js';
import { chatStreamPayloads } from '../../fakes/rest/chatSse.js';

/** Feeds the tool_calls deltas of a fake SSE stream (JSON payloads as sent on the wire) into an accumulator. */
function accumulate(payloads: string[]): ToolCallAccumulator {
  const acc = new ToolCallAccumulator();
  for (const p of payloads) {
    if (p === '[DONE]') continue;
    const chunk = JSON.parse(p) as { choices: Array<{ delta: { tool_calls?: never } }> };
    acc.push(chunk.choices[0]?.delta.tool_calls);
  }
  return acc;
}

describe('ToolCallAccumulator', () => {
  it('joins arguments split mid-JSON, keyed by index, with id and name from the first fragment only', () => {
    const payloads = chatStreamPayloads(
      { toolCalls: [{ id: 'call_abc', name: 'lookup_order', arguments: '{"order_id":"42","note":"a, b"}' }], argsChunkChars: 3 },
      { id: 'x', includeUsage: true, created: 0 },
    );
    expect(accumulate(payloads).calls()).toEqual([{ id: 'call_abc', name: 'lookup_order', arguments: '{"order_id":"42","note":"a, b"}' }]);
  });

  it('keeps two parallel calls apart even when their fragments interleave', () => {
    const acc = new ToolCallAccumulator();
    acc.push([{ index: 1, id: 'call_b', type: 'function', function: { name: 'transfer', arguments: '' } }]);
    acc.push([{ index: 0, id: 'call_a', type: 'function', function: { name: 'lookup_order', arguments: '{"order' } }]);
    acc.push([{ index: 1, function: { arguments: '{"dest' } }]);
    acc.push([{ index: 0, function: { arguments: '_id":"42"}' } }]);
    acc.push([{ index: 1, function: { arguments: 'ination":"sales"}' } }]);
    expect(acc.calls()).toEqual([
      { id: 'call_a', name: 'lookup_order', arguments: '{"order_id":"42"}' },
      { id: 'call_b', name: 'transfer', arguments: '{"destination":"sales"}' },
    ]);
  });

  it('names a call without an id call_<index> and gives empty arguments as {}', () => {
    const acc = new ToolCallAccumulator();
    acc.push([{ index: 3, id: '', function: { name: 'hangup_call', arguments: '' } }]);
    expect(acc.calls()).toEqual([{ id: 'call_3', name: 'hangup_call', arguments: '{}' }]);
  });

  it('counts and drops fragments without a valid index', () => {
    const acc = new ToolCallAccumulator();
    acc.push([{ index: -1, function: { name: 'x' } }, { index: Number.NaN }]);
    expect(acc.badFragments).toBe(2);
    expect(acc.calls()).toEqual([]);
  });
});
