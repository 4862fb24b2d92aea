import { z } from 'zod';
import type { ToolsConfig } from '../../config/schema.js';
import type { ToolDefinition } from '../ToolDefinition.js';

/** Only schedules the hangup (the farewell drains in the call session), so this returns at once. */
const HANGUP_TIMEOUT_MS = 2_000;
/** A farewell is one or two sentences; longer is the model monologuing or being steered. */
const MAX_FAREWELL_CHARS = 300;

const parameters = z.object({
  farewell: z
    .string()
    .max(MAX_FAREWELL_CHARS)
    .optional()
    .describe('Last sentence to say before hanging up. Omit for the standard goodbye; empty string if you already said goodbye.'),
});

/** hangup_call (alias end_call): say the farewell, let it drain to the caller, hang up (bounded by timeout_ms). */
export function createHangupCallTool(config: ToolsConfig['hangup_call']): ToolDefinition<typeof parameters> {
  return {
    name: 'hangup_call',
    description:
      'End the call. Use when the conversation is finished and the caller has nothing more, or says goodbye. ' +
      'The farewell is spoken for you; do not say anything after calling this.',
    parameters,
    timeoutMs: HANGUP_TIMEOUT_MS,
    async execute({ farewell }, call) {
      const text = farewell === undefined ? config.farewell : farewell.trim();
      call.hangupAfterFarewell(text === '' ? undefined : text, config.timeout_ms);
      return { ok: true, status: 'ending' };
    },
  };
}
