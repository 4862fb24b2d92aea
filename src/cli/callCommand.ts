import { configOption, stringOption, type CliCommand, type CliContext } from './CliCommand.js';
import { loadConfigForCli } from './loadConfigForCli.js';

/**
 * `ai-agent call <endpoint> --context NAME [--var K=V …]`: asks the running agent (its local HTTP listener,
 * `POST /calls` with `http.api_token`) to place an outbound call, then follows it to a result.
 */

/** How often `--wait` asks for the result: a ring takes seconds; twice a second is plenty and cheap. */
const POLL_INTERVAL_MS = 500;
/** Beyond the ring timeout (and AMD), how long `--wait` keeps asking before giving up. */
const WAIT_MARGIN_MS = 30_000;
/** The agent answers on localhost at once; 10 s means it is stuck. */
const REQUEST_TIMEOUT_MS = 10_000;

function parseVars(ctx: CliContext): Record<string, string> | string {
  const raw = ctx.values.var;
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  const vars: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) return `--var expects NAME=VALUE, got '${item}'`;
    vars[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return vars;
}

/** The listener's address as a client reaches it (a wildcard bind is reached on loopback). */
export function agentBaseUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

export const callCommand: CliCommand = {
  name: 'call',
  summary: 'have the running agent call someone (outbound call with a context)',
  usage: 'ai-agent call <endpoint> --context NAME [--var K=V …] [--caller-id CID] [--wait] [--config FILE]',
  description:
    'Sends the request to the running agent (POST /calls on http.host:http.port with http.api_token from the\n' +
    'configuration); the agent originates the call through ARI and, when it is answered, talks with the given\n' +
    'context. --var values become template variables ({customer} in the greeting or prompt).\n' +
    'Endpoint examples: PJSIP/1001, PJSIP/5551234@trunk, Local/6000@from-internal.\n' +
    'With --wait, prints answered / busy / no_answer / failed / machine and exits 0 only when answered.',
  options: {
    ...configOption,
    context: { type: 'string', valueName: 'NAME', description: 'context the agent uses on this call (required)' },
    var: { type: 'string', multiple: true, valueName: 'K=V', description: 'template variable for the call (repeatable)' },
    'caller-id': { type: 'string', valueName: 'CID', description: 'caller ID shown to the callee (default outbound.caller_id)' },
    wait: { type: 'boolean', description: 'wait for the result (answered, busy, no answer…)' },
  },
  allowPositionals: true,
  async run(ctx) {
    const [endpoint, ...extra] = ctx.positionals;
    const context = stringOption(ctx, 'context');
    if (!endpoint || extra.length > 0 || !context) {
      ctx.io.stderr(`usage: ${callCommand.usage}\n`);
      return 2;
    }
    const vars = parseVars(ctx);
    if (typeof vars === 'string') {
      ctx.io.stderr(`${vars}\n`);
      return 2;
    }
    const loaded = await loadConfigForCli(ctx);
    if (!loaded) return 1;
    const { http, outbound } = loaded.config;
    if (!http.enabled) {
      ctx.io.stderr('✗ http.enabled is false: the agent has no listener to take the request (enable it and restart the agent)\n');
      return 1;
    }
    if (http.api_token === '') {
      ctx.io.stderr('✗ http.api_token is not set: the agent refuses outbound call requests without one (set it and restart or reload the agent)\n');
      return 1;
    }
    const base = agentBaseUrl(http.host, http.port);
    const headers = { authorization: `Bearer ${http.api_token}`, 'content-type': 'application/json' };
    const callerId = stringOption(ctx, 'caller-id');
    let res: Response;
    try {
      res = await fetch(`${base}/calls`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ endpoint, context, variables: vars, ...(callerId === undefined ? {} : { caller_id: callerId }) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code;
      ctx.io.stderr(
        code === 'ECONNREFUSED'
          ? `✗ the agent is not running: nothing listens on ${base} (start it with 'ai-agent start', or check http.host/http.port)\n`
          : `✗ cannot reach the agent at ${base}: ${code ?? (error instanceof Error ? error.message : String(error))}\n`,
      );
      return 1;
    }
    const body = (await res.json().catch(() => ({}))) as { id?: string; error?: string; message?: string; problems?: Array<{ path: string; message: string }> };
    if (res.status !== 202 || !body.id) {
      ctx.io.stderr(`✗ the agent refused the call (${res.status} ${body.error ?? ''}): ${body.message ?? ''}\n`);
      for (const p of body.problems ?? []) ctx.io.stderr(`    ${p.path}: ${p.message}\n`);
      return 1;
    }
    ctx.io.stdout(`✓ calling ${endpoint} with context '${context}': ${body.id}\n`);
    if (ctx.values.wait !== true) return 0;

    const deadline = Date.now() + outbound.ring_timeout_s * 1000 + WAIT_MARGIN_MS;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
      const s = await fetch(`${base}/calls/${encodeURIComponent(body.id)}`, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
        .then((r) => (r.ok ? (r.json() as Promise<{ state?: string; cause?: number; amdStatus?: string }>) : undefined))
        .catch(() => undefined);
      if (!s?.state || s.state === 'dialing') continue;
      const cause = s.cause === undefined ? '' : ` (cause ${s.cause})`;
      ctx.io.stdout(`${s.state === 'answered' ? '✓' : '✗'} ${s.state}${cause}\n`);
      return s.state === 'answered' ? 0 : 1;
    }
    ctx.io.stderr('✗ no result in time; ask the agent later: GET /calls/<id>\n');
    return 1;
  },
};
