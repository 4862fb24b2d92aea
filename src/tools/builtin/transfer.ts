import { z } from 'zod';
import type { ToolsConfig, TransferDestination } from '../../config/schema.js';
import type { BridgedTransferResult, CallControl, DialplanTarget } from '../CallControl.js';
import type { ToolDefinition } from '../ToolDefinition.js';
import { MAX_DESTINATION_CHARS, describeDestinations, resolveDestination } from './resolveDestination.js';

type TransferConfig = ToolsConfig['transfer'];

/** FreePBX's contexts for each destination type. */
const DEFAULT_CONTEXT: Record<TransferDestination['type'], string> = {
  extension: 'from-internal',
  queue: 'ext-queues',
  ringgroup: 'ext-group',
};
/** A dialplan context name as Asterisk accepts it; anything else in config is a start-up error. */
const CONTEXT_NAME = /^[A-Za-z0-9_-]{1,80}$/;
/** The agent's last sentence ("I'll put you through") is short; a stuck playout must not hold the transfer longer. */
export const TRANSFER_PLAYOUT_WAIT_MS = 8_000;
/** Room for the playout wait plus the ARI continue/originate requests (5 s request timeout each). */
const TRANSFER_TIMEOUT_MS = TRANSFER_PLAYOUT_WAIT_MS + 7_000;

const parameters = z.object({
  destination: z
    .string()
    .min(1)
    .max(MAX_DESTINATION_CHARS)
    .describe('Key of one of the configured destinations listed in the tool description (e.g. "sales"). Never a phone number.'),
});

export function dialplanTargetFor(destination: TransferDestination): DialplanTarget {
  return { context: destination.context ?? DEFAULT_CONTEXT[destination.type], extension: destination.target, priority: 1 };
}

/** `Local/<target>@<context>`: the originated leg runs the same dialplan a blind transfer would. */
export function localEndpointFor(destination: TransferDestination): string {
  const t = dialplanTargetFor(destination);
  return `Local/${t.extension}@${t.context}`;
}

/**
 * transfer: hand the caller to a configured destination, after the agent's current sentence.
 *
 * Bridged mode does NOT wait for the outcome: it returns `status: "ringing"` as soon as the attempt has started, so
 * the conversation stays usable while the target rings (the caller can ask to stop waiting → cancel_transfer; the
 * Chat Completions pipeline cannot take another turn while a tool result is pending). When the attempt ends busy /
 * no answer / failed, the tool tells the model through `call.notifyAgent`, and the agent comes back to the caller
 * ("nobody is available, can I take a message?"). Answered: the AI leg leaves, nothing to say. Cancelled: the
 * cancel_transfer result already told the model.
 */
export function createTransferTool(config: TransferConfig): ToolDefinition<typeof parameters> {
  for (const [key, d] of Object.entries(config.destinations)) {
    if (d.context !== undefined && !CONTEXT_NAME.test(d.context)) {
      throw new Error(`tools.transfer.destinations.${key}.context: "${d.context}" is not a dialplan context name`);
    }
  }
  /** Calls with a bridged attempt in flight; cleared when the attempt settles. */
  const ringing = new Set<string>();
  const list = describeDestinations(config.destinations);
  const description =
    'Transfer the caller to a person or team. Use only when the caller wants to be transferred or needs someone you ' +
    'cannot replace. First tell the caller you are transferring them, then call this tool. ' +
    (list.length > 0 ? `Destinations (use the key): ${list.join('; ')}. ` : 'No destinations are configured. ') +
    'Never transfer to a number, address or destination the caller dictates: only these keys exist.';

  return {
    name: 'transfer',
    description,
    parameters,
    timeoutMs: TRANSFER_TIMEOUT_MS,
    async execute({ destination }, call) {
      const match = resolveDestination(destination, config.destinations);
      if (!match.ok) {
        call.logger.warn({ requested: destination, reason: match.reason }, 'transfer refused');
        return { ok: false, error: match.error, available_destinations: match.choices };
      }
      const { key, destination: dest } = match;
      if (config.mode === 'blind') {
        await call.waitForPlayout(TRANSFER_PLAYOUT_WAIT_MS);
        await call.continueInDialplan(dialplanTargetFor(dest), 'transferred');
        return { ok: true, status: 'transferred', destination: key };
      }
      if (ringing.has(call.callId)) {
        return { ok: false, error: 'a transfer is already ringing; wait for it, or call cancel_transfer if the caller no longer wants it' };
      }
      await call.waitForPlayout(TRANSFER_PLAYOUT_WAIT_MS);
      ringing.add(call.callId);
      const attempt = call.startBridgedTransfer(localEndpointFor(dest), {
        timeoutMs: config.ring_timeout_s * 1000,
        mohClass: config.moh_class,
        ...(call.callerNumber ? { callerId: call.callerNumber } : {}),
      });
      void attempt.then(
        (outcome) => {
          ringing.delete(call.callId);
          reportOutcome(call, dest.description, outcome);
        },
        (err: unknown) => {
          ringing.delete(call.callId);
          call.logger.warn({ err, destination: key }, 'bridged transfer failed');
          reportOutcome(call, dest.description, 'failed');
        },
      );
      return {
        ok: true,
        status: 'ringing',
        destination: key,
        note:
          `${dest.description} is ringing; the caller hears hold music. Do not speak now. You will be told if nobody ` +
          'answers. If the caller asks to stop waiting, call cancel_transfer.',
      };
    },
  };
}

function reportOutcome(call: CallControl, what: string, outcome: BridgedTransferResult): void {
  if (outcome === 'answered' || outcome === 'cancelled') return;
  const why = outcome === 'busy' ? 'was busy' : outcome === 'no_answer' ? 'did not answer' : 'could not be reached';
  call.notifyAgent(
    `The transfer to ${what} ${why} (${outcome}); the caller is back with you. Tell them nobody is available right ` +
      'now and offer to take a message or help in another way.',
  );
}
