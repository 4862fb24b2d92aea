import { z } from 'zod';

/**
 * What an outbound call request may contain (`POST /calls`, `ai-agent call`), validated at the edge, and how a
 * hangup cause before the agent got the call is reported. Pure.
 */

/** `PJSIP/1001`, `PJSIP/0123456789@trunk`, `Local/6000@from-internal`: technology, slash, something. */
const ENDPOINT_RE = /^[A-Za-z][A-Za-z0-9_-]*\/[^\s/][^\s]*$/;
/** Variable names usable as template variables and as Asterisk channel variables. */
const VAR_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export const outboundRequestSchema = z
  .object({
    endpoint: z.string().regex(ENDPOINT_RE, 'endpoint must look like TECH/resource, e.g. PJSIP/1001 or PJSIP/5551234@trunk').max(200),
    context: z.string().min(1).max(100),
    variables: z
      .record(z.string().regex(VAR_NAME_RE, 'variable names are letters, digits and _'), z.string().max(2_000))
      .refine((v) => Object.keys(v).length <= 50, 'at most 50 variables')
      .default({}),
    caller_id: z.string().max(100).optional(),
  })
  .strict();

export type OutboundRequest = z.infer<typeof outboundRequestSchema>;

export type OutboundState = 'dialing' | 'answered' | 'busy' | 'no_answer' | 'failed' | 'machine' | 'ended';

/** Q.850 causes seen when an originated call ends before it reaches the agent. */
export const CAUSE_USER_BUSY = 17;
export const CAUSE_NO_USER_RESPONSE = 18;
export const CAUSE_NO_ANSWER = 19;

/**
 * The result of an outbound call that ended before StasisStart. `answered`: the far end picked up (state Up) but
 * the call never reached the agent, which with AMD means the dialplan hung up on an answering machine.
 */
export function unansweredResult(cause: number, answered: boolean, amd: boolean): Exclude<OutboundState, 'dialing' | 'answered' | 'ended'> {
  if (answered) return amd ? 'machine' : 'failed';
  if (cause === CAUSE_USER_BUSY) return 'busy';
  if (cause === CAUSE_NO_ANSWER || cause === CAUSE_NO_USER_RESPONSE) return 'no_answer';
  return 'failed';
}
