import { z } from 'zod';
import type { ToolDefinition } from '../ToolDefinition.js';

/** Only flags the call; the email is composed and sent after the call ends. */
const SUMMARY_TIMEOUT_MS = 2_000;
const parameters = z.object({});

/** send_email_summary: after the call, email the configured recipients a summary (caller, outcome, transcript…). */
export function createSendEmailSummaryTool(options: { emailEnabled: boolean }): ToolDefinition<typeof parameters> {
  return {
    name: 'send_email_summary',
    description:
      'Have a summary of this call emailed to the business after the call ends (for example when the caller leaves ' +
      'a message or asks to be called back). Call it once; the email goes out when the call is over.',
    parameters,
    timeoutMs: SUMMARY_TIMEOUT_MS,
    async execute(_args, call) {
      if (!options.emailEnabled) return { ok: false, error: 'email is not configured; the summary cannot be sent' };
      call.requestSummaryEmail();
      return { ok: true, status: 'queued', note: 'The summary will be emailed when the call ends.' };
    },
  };
}
