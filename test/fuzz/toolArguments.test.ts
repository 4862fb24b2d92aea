import { describe, expect, it } from 'vitest';
import { ToolRegistry } from '../../src/tools/ToolRegistry.js';
import { RecordingCallControl } from '../tools/RecordingCallControl.js';
import { makeToolsConfig } from '../tools/toolsConfig.js';
import { Prng, trackUnhandled } from './prng.js';

/** Plausible arguments per tool: the mutations start from what a model would send. */
const GOOD_ARGS: Record<string, Record<string, unknown>> = {
  transfer: { destination: 'sales' },
  cancel_transfer: {},
  hangup_call: { farewell: 'Goodbye!' },
  leave_voicemail: {},
  send_email_summary: {},
  request_transcript: { email: 'alice@example.com' },
};

describe('fuzz: tool arguments', () => {
  it('every call with random or mutated arguments comes back as a result the model can read', async () => {
    const unhandled = trackUnhandled();
    const r = new Prng(0x7001);
    // No DNS in tests: the domain check answers at once.
    const registry = ToolRegistry.fromConfig(makeToolsConfig(), { emailEnabled: true, domainCheck: async () => r.bool() });
    const allowed = registry.forContext(registry.names);
    const names = [...registry.names, 'not_a_tool', '', 'transfer_call', 'hangup', '__proto__', 'x'.repeat(300)];
    const tally = { ok: 0, failed: 0 };
    const bad: { i: number; why: string }[] = [];
    const cases = 2_000;
    for (let i = 0; i < cases; i++) {
      const name = r.pick(names);
      const good = GOOD_ARGS[name] ?? {};
      let argumentsJson: string;
      switch (r.int(0, 4)) {
        case 0:
          argumentsJson = JSON.stringify(r.jsonValue());
          break;
        case 1: {
          // Truncated or byte-mutated JSON text, as a stream cut mid-arguments would give.
          const t = JSON.stringify(good);
          argumentsJson = r.bool() ? t.slice(0, r.int(0, t.length)) : r.mutateBytes(Buffer.from(t)).toString('utf8');
          break;
        }
        case 2:
          argumentsJson = r.pick(['', '   ', 'null', '[]', '"{}"', '{"destination":null}', '{"__proto__":{"ok":true}}', '{"email":"a@b"}']);
          break;
        default:
          argumentsJson = JSON.stringify(r.mutateJson(good));
      }
      const control = new RecordingCallControl(`call-${i}`);
      const { result, record } = await registry.execute({ callId: `c${i}`, name, argumentsJson }, control, allowed);
      if (result.callId !== `c${i}`) bad.push({ i, why: 'call id not echoed' });
      let output: { ok?: unknown; error?: unknown };
      try {
        output = JSON.parse(result.output) as typeof output;
      } catch {
        bad.push({ i, why: `output is not JSON: ${result.output.slice(0, 80)}` });
        continue;
      }
      if (output.ok === true) tally.ok++;
      else if (output.ok === false && typeof output.error === 'string' && output.error !== '') tally.failed++;
      else bad.push({ i, why: `output without ok/error: ${result.output.slice(0, 80)}` });
      if (record.ok !== output.ok || record.name !== name) bad.push({ i, why: 'record disagrees with result' });
      // A call whose arguments were rejected never reached the call (no transfer, no hangup).
      if (output.ok === false && /invalid arguments|not valid JSON|unknown tool/.test(String(output.error)) && control.calls.length > 0) {
        bad.push({ i, why: `rejected call still acted: ${control.methods().join(',')}` });
      }
    }
    unhandled.dispose();
    expect(bad).toEqual([]);
    expect(unhandled.rejections).toEqual([]);
    expect(tally.ok + tally.failed).toBe(cases);
    expect(tally.failed).toBeGreaterThan(0);
    expect(tally.ok).toBeGreaterThan(0);
  });
});
