import { z } from 'zod';
import type { ToolDefinition } from '../ToolDefinition.js';

/** Hanging up one ringing leg and stopping hold music are two ARI requests (5 s request timeout each). */
const CANCEL_TIMEOUT_MS = 10_000;
const parameters = z.object({});

/** cancel_transfer: while a bridged transfer is still ringing, stop it and resume the conversation. */
export function createCancelTransferTool(): ToolDefinition<typeof parameters> {
  return {
    name: 'cancel_transfer',
    description:
      'Stop a transfer that is still ringing, when the caller no longer wants to wait. The hold music stops and you ' +
      'continue the conversation.',
    parameters,
    timeoutMs: CANCEL_TIMEOUT_MS,
    async execute(_args, call) {
      const cancelled = await call.cancelTransfer();
      if (!cancelled) return { ok: false, error: 'no transfer is ringing; there is nothing to cancel' };
      return { ok: true, status: 'cancelled', note: 'The transfer was cancelled; the caller is back with you.' };
    },
  };
}
