import { formatProblem } from '../config/ConfigError.js';
import { configOption, stringOption, type CliCommand } from './CliCommand.js';
import { ariChecks } from './doctor/ariChecks.js';
import { formatResult, type DoctorCheck } from './doctor/DoctorCheck.js';
import { providerKeyChecks } from './doctor/providerKeyChecks.js';
import { rtpPortChecks } from './doctor/rtpPortChecks.js';
import { smtpChecks } from './doctor/smtpChecks.js';
import { loadConfigForCli } from './loadConfigForCli.js';

/** Checks in the order a call needs them. */
export const doctorChecks: DoctorCheck[] = [ariChecks, providerKeyChecks, rtpPortChecks, smtpChecks];

/** Per probe: a healthy PBX answers in ms; 4 s tolerates a loaded one without making doctor feel hung. */
const DEFAULT_TIMEOUT_MS = 4_000;

export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: 'check what a call needs (ARI, credentials, API keys, SMTP, RTP ports) and say what to fix',
  usage: 'ai-agent doctor [--config FILE] [--timeout MS]',
  description:
    'Loads the configuration, then probes: ARI reachable and the credentials accepted (refused, DNS, timeout,\n' +
    '401 and wrong path are told apart, with the http.conf/ari.conf fix), the Stasis app, RTP addresses, API\n' +
    'keys of enabled providers, the SMTP server when email is enabled, and the RTP port range.\n' +
    'Prints ✓ / ✗ (with a fix) / ! per finding; exits 1 if anything is ✗.',
  options: {
    ...configOption,
    timeout: { type: 'string', valueName: 'MS', description: `per-probe timeout in ms (default ${DEFAULT_TIMEOUT_MS})` },
  },
  async run(ctx) {
    const timeoutText = stringOption(ctx, 'timeout');
    const timeoutMs = timeoutText === undefined ? DEFAULT_TIMEOUT_MS : Number(timeoutText);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      ctx.io.stderr(`--timeout must be a positive number of milliseconds, got '${timeoutText}'\n`);
      return 2;
    }
    const loaded = await loadConfigForCli(ctx);
    if (!loaded) {
      ctx.io.stdout('✗ configuration invalid (problems above)\n    fix: correct them, then run ai-agent check-config\n');
      return 1;
    }
    ctx.io.stdout(formatResult({ status: 'ok', title: `configuration valid: ${loaded.files.length} file(s), ${Object.keys(loaded.config.contexts).length} context(s)` }));
    for (const warning of loaded.warnings) ctx.io.stdout(formatResult({ status: 'warn', title: `config: ${formatProblem(warning)}` }));
    let failed = false;
    for (const check of doctorChecks) {
      const results = await check(loaded, { timeoutMs }).catch((error: unknown) => [
        { status: 'fail' as const, title: `check crashed: ${error instanceof Error ? error.message : String(error)}` },
      ]);
      for (const result of results) {
        if (result.status === 'fail') failed = true;
        ctx.io.stdout(formatResult(result));
      }
    }
    ctx.io.stdout(failed ? '\n✗ some checks failed: fix the lines marked ✗ and run doctor again\n' : '\n✓ all checks passed\n');
    return failed ? 1 : 0;
  },
};
