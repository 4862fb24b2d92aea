import { describe, expect, it } from 'vitest';
import { ConversationHistory, MISSING_TOOL_RESULT } from '../../../src/providers/pipeline/ConversationHistory.js';

describe('ConversationHistory', () => {
  it('renders the system prompt first, then the turns in order', () => {
    const h = new ConversationHistory({ systemPrompt: 'You are a phone agent.', maxChars: 1000 });
    h.addAssistant('Hello, how can I help?');
    h.addUser('Where is order 42?');
    expect(h.messages()).toEqual([
      { role: 'system', content: 'You are a phone agent.' },
      { role: 'assistant', content: 'Hello, how can I help?' },
      { role: 'user', content: 'Where is order 42?' },
    ]);
  });

  it('trims the oldest turns first to the char budget and keeps the system prompt', () => {
    const h = new ConversationHistory({ systemPrompt: 'S'.repeat(500), maxChars: 25 });
    h.addUser('aaaaaaaaaa'); // 10
    h.addAssistant('bbbbbbbbbb'); // 10
    h.addUser('cccccccccc'); // 10 → 30 > 25, drop "a"
    expect(h.messages().map((m) => m.content)).toEqual(['S'.repeat(500), 'bbbbbbbbbb', 'cccccccccc']);
    expect(h.chars).toBe(20);
  });

  it('keeps the newest entry even when it alone is over budget', () => {
    const h = new ConversationHistory({ systemPrompt: 's', maxChars: 5 });
    h.addUser('short');
    h.addUser('a much longer message');
    expect(h.messages().map((m) => m.content)).toEqual(['s', 'a much longer message']);
  });

  it('renders tool calls with their results and trims call and results together', () => {
    const h = new ConversationHistory({ systemPrompt: 's', maxChars: 80 });
    h.addUser('Where is order 42?');
    h.addAssistant('', [{ id: 'call_1', name: 'lookup_order', arguments: '{"order_id":"42"}' }]);
    expect(h.setToolResult('call_1', '{"status":"shipped"}')).toBe(true);
    expect(h.messages().slice(2)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup_order', arguments: '{"order_id":"42"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"status":"shipped"}' },
    ]);
    // 18 + 12+17+20 = 67; adding 20 more chars pushes the oldest user turn out, then the tool unit as a whole.
    h.addAssistant('It shipped yesterday');
    expect(h.messages().map((m) => m.role)).toEqual(['system', 'assistant', 'tool', 'assistant']);
    h.addUser('x'.repeat(40));
    expect(h.messages().map((m) => m.role)).toEqual(['system', 'assistant', 'user']);
  });

  it('renders a placeholder result for a tool call whose result never came', () => {
    const h = new ConversationHistory({ systemPrompt: 's', maxChars: 1000 });
    h.addAssistant('Let me check.', [{ id: 'call_9', name: 'x', arguments: '{}' }]);
    expect(h.messages().at(-1)).toEqual({ role: 'tool', tool_call_id: 'call_9', content: MISSING_TOOL_RESULT });
  });

  it('cuts an assistant message to what was heard, and removes it when nothing was heard', () => {
    const h = new ConversationHistory({ systemPrompt: 's', maxChars: 1000 });
    const a = h.addAssistant('Your order shipped. It arrives Monday.');
    h.setAssistantText(a, 'Your order shipped.');
    expect(h.messages().at(-1)).toEqual({ role: 'assistant', content: 'Your order shipped.' });
    h.setAssistantText(a, '');
    expect(h.messages()).toEqual([{ role: 'system', content: 's' }]);
  });

  it('keeps an assistant message with tool calls when its text is cut to nothing', () => {
    const h = new ConversationHistory({ systemPrompt: 's', maxChars: 1000 });
    const a = h.addAssistant('Let me look that up for you.', [{ id: 'c', name: 'x', arguments: '{}' }]);
    h.setAssistantText(a, '');
    expect(h.messages()[1]).toMatchObject({ role: 'assistant', content: null });
  });
});
