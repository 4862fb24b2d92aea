import { z } from 'zod';
import type { ToolsConfig } from '../../config/schema.js';
import type { ToolDefinition } from '../ToolDefinition.js';

/** The announcement is one sentence (~5 s); a stuck playout must not keep the caller from the mailbox longer. */
export const VOICEMAIL_PLAYOUT_WAIT_MS = 12_000;
/** say() + playout wait + the ARI continue request (5 s request timeout). */
const VOICEMAIL_TIMEOUT_MS = VOICEMAIL_PLAYOUT_WAIT_MS + 10_000;
/** What a mailbox number, prefix and context may contain; config outside this is a start-up error. */
const MAILBOX = /^[0-9A-Za-z]{1,20}$/;
const PREFIX = /^[A-Za-z]{0,8}$/;
const CONTEXT_NAME = /^[A-Za-z0-9_-]{1,80}$/;

const parameters = z.object({
  mailbox: z.string().max(20).optional().describe('Leave out: the configured mailbox is used. No other mailbox exists.'),
});

/**
 * leave_voicemail: the system speaks the configured announcement (`say`, so the wording is the operator's and the
 * caller hears exactly one announcement), waits for it to play out, then sends the caller to
 * `<context>,<prefix><mailbox>,1` (FreePBX `ext-local,vmu<ext>,1`). Only the configured mailbox is ever used.
 */
export function createLeaveVoicemailTool(config: ToolsConfig['leave_voicemail']): ToolDefinition<typeof parameters> {
  if (config.mailbox !== '' && !MAILBOX.test(config.mailbox)) throw new Error(`tools.leave_voicemail.mailbox: "${config.mailbox}" is not a mailbox number`);
  if (!PREFIX.test(config.prefix)) throw new Error(`tools.leave_voicemail.prefix: "${config.prefix}" must be letters only (e.g. vmu)`);
  if (!CONTEXT_NAME.test(config.context)) throw new Error(`tools.leave_voicemail.context: "${config.context}" is not a dialplan context name`);
  return {
    name: 'leave_voicemail',
    description:
      'Send the caller to voicemail to leave a message, when they want to leave one or nobody is available. ' +
      'The voicemail announcement is spoken for you; do not announce it yourself.',
    parameters,
    timeoutMs: VOICEMAIL_TIMEOUT_MS,
    async execute({ mailbox }, call) {
      if (config.mailbox === '') return { ok: false, error: 'voicemail is not configured; offer to take the message yourself instead' };
      // Exactly the configured mailbox or nothing; no trimming ("1001\n" is an injection attempt, not a typo).
      if (mailbox !== undefined && mailbox !== '' && mailbox !== config.mailbox) {
        call.logger.warn({ requested: mailbox }, 'voicemail to another mailbox refused');
        return { ok: false, error: 'only the configured mailbox can be used; call leave_voicemail without a mailbox' };
      }
      if (config.message.trim() !== '') await call.say(config.message);
      await call.waitForPlayout(VOICEMAIL_PLAYOUT_WAIT_MS);
      await call.continueInDialplan({ context: config.context, extension: config.prefix + config.mailbox, priority: 1 }, 'voicemail');
      return { ok: true, status: 'voicemail' };
    },
  };
}
