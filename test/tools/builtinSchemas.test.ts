import { describe, expect, it } from 'vitest';
import { KNOWN_TOOL_NAMES, ToolRegistry } from '../../src/tools/ToolRegistry.js';
import { toChatTool, toRealtimeTool } from '../../src/tools/toolSchemas.js';
import { makeToolsConfig } from './toolsConfig.js';

const registry = ToolRegistry.fromConfig(makeToolsConfig(), { emailEnabled: true });
const expectedRequired: Record<string, string[]> = {
  transfer: ['destination'],
  cancel_transfer: [],
  hangup_call: [],
  leave_voicemail: [],
  send_email_summary: [],
  request_transcript: ['email'],
};

describe('built-in tool schemas', () => {
  for (const name of KNOWN_TOOL_NAMES) {
    it(`${name}: Realtime flat and Chat nested carry the same parameters`, () => {
      const def = registry.get(name);
      expect(def).toBeDefined();
      const flat = toRealtimeTool(def!);
      const nested = toChatTool(def!);
      expect(Object.keys(flat).sort()).toEqual(['description', 'name', 'parameters', 'type']);
      expect(flat).toMatchObject({ type: 'function', name });
      expect(Object.keys(nested).sort()).toEqual(['function', 'type']);
      expect(nested.function.name).toBe(name);
      expect(nested.function.parameters).toEqual(flat.parameters);
      expect(nested.function.description).toBe(flat.description);
      expect(flat.parameters.type).toBe('object');
      expect(flat.parameters.required ?? []).toEqual(expectedRequired[name]);
      expect(JSON.stringify(flat)).not.toContain('$schema');
    });
  }

  it('transfer lists every destination key in its description', () => {
    const desc = registry.get('transfer')!.description;
    for (const key of ['sales', 'support', 'billing', 'reception']) expect(desc).toContain(key);
  });
});
