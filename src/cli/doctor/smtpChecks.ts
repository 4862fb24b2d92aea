import type { DoctorCheck } from './DoctorCheck.js';
import { probeSmtp } from './probeSmtp.js';

/** SMTP server reachable (greeting read, no login) when email is enabled. */
export const smtpChecks: DoctorCheck = async ({ config }, { timeoutMs }) => {
  const { email } = config;
  if (!email.enabled) return [{ status: 'info', title: 'email disabled (email.enabled: false): SMTP not checked' }];
  const { host, port, secure } = email.smtp;
  const result = await probeSmtp({ host, port, secure, timeoutMs });
  return result.ok
    ? [{ status: 'ok', title: `SMTP ${host}:${port} reachable: ${result.banner.slice(0, 80)}` }]
    : [{ status: 'fail', title: result.message, fix: result.hint }];
};
