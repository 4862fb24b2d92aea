import { z } from 'zod';
import type { ToolsConfig } from '../../config/schema.js';
import type { ToolDefinition } from '../ToolDefinition.js';
import { DOMAIN_CHECK_TIMEOUT_MS, createDnsDomainCheck, type DomainCheck } from './domainAcceptsMail.js';
import { parseEmailAddress } from './parseEmailAddress.js';

export type { DomainCheck } from './domainAcceptsMail.js';

/** The DNS check is the only slow part. */
const TRANSCRIPT_TIMEOUT_MS = DOMAIN_CHECK_TIMEOUT_MS + 2_000;
/** Per-call counters are forgotten oldest-first beyond this many calls (bounded memory on a long-running server). */
const MAX_TRACKED_CALLS = 10_000;

const parameters = z.object({
  email: z.string().min(3).max(254).describe('The address, spelled out exactly (like name@example.com), after the caller confirmed it.'),
});

/**
 * request_transcript: the caller wants the transcript by email. Validated (syntax, optional DNS check), at most
 * `max_per_call` addresses per call, queued on the call and sent when the call ends.
 */
export function createRequestTranscriptTool(
  options: ToolsConfig['request_transcript'] & { emailEnabled: boolean; domainCheck?: DomainCheck },
): ToolDefinition<typeof parameters> {
  const domainCheck = options.domainCheck ?? createDnsDomainCheck();
  /** callId → addresses queued so far. */
  const queued = new Map<string, Set<string>>();
  return {
    name: 'request_transcript',
    description:
      'Email the transcript of this call to the caller after the call ends. First ask for their email address, ' +
      'then read it back letter by letter and get a clear yes before calling this. Pass only the confirmed address.',
    parameters,
    timeoutMs: TRANSCRIPT_TIMEOUT_MS,
    async execute({ email }, call) {
      if (!options.emailEnabled) return { ok: false, error: 'email is not configured; the transcript cannot be sent' };
      const parsed = parseEmailAddress(email);
      if (!parsed.ok) return { ok: false, error: `${parsed.error}; ask the caller to spell the address again` };
      const addresses = queued.get(call.callId) ?? new Set<string>();
      if (addresses.has(parsed.address)) return { ok: true, status: 'already_queued', email: parsed.address };
      if (addresses.size >= options.max_per_call) {
        return { ok: false, error: `at most ${options.max_per_call} transcript emails per call; no more can be sent` };
      }
      // Reserve the slot before the (slow) DNS check so two concurrent requests cannot both pass the limit.
      addresses.add(parsed.address);
      queued.delete(call.callId);
      queued.set(call.callId, addresses);
      if (queued.size > MAX_TRACKED_CALLS) queued.delete(queued.keys().next().value as string);
      if (options.check_domain && !(await domainCheck(parsed.domain).catch(() => false))) {
        addresses.delete(parsed.address);
        return { ok: false, error: `the domain ${parsed.domain} does not receive email; ask the caller to check the address` };
      }
      call.queueTranscriptEmail(parsed.address);
      return { ok: true, status: 'queued', email: parsed.address, note: 'The transcript will be emailed when the call ends.' };
    },
  };
}
