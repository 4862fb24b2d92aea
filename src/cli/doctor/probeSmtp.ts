import net from 'node:net';
import tls from 'node:tls';

export type SmtpProbeResult = { ok: true; banner: string } | { ok: false; message: string; hint: string };

/**
 * TCP (or implicit TLS) connect to an SMTP server and read its greeting; no login, no mail. `QUIT` is sent so the
 * server logs a clean session.
 */
export function probeSmtp(opts: { host: string; port: number; secure: boolean; timeoutMs: number }): Promise<SmtpProbeResult> {
  const { host, port, secure, timeoutMs } = opts;
  return new Promise((resolve) => {
    let buffer = '';
    let settled = false;
    const socket = secure ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host }) : net.connect({ host, port });
    const finish = (result: SmtpProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (result.ok && !socket.destroyed) socket.end('QUIT\r\n');
      else socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish({ ok: false, message: `no SMTP greeting from ${host}:${port} within ${timeoutMs} ms`, hint: secure ? 'port 465 uses TLS from the start; 587/25 use secure: false' : 'a firewall may drop it, or the port is not SMTP' }),
      timeoutMs,
    );
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const end = buffer.indexOf('\n');
      if (end < 0) return;
      const line = buffer.slice(0, end).trim();
      if (line.startsWith('220')) finish({ ok: true, banner: line });
      else finish({ ok: false, message: `${host}:${port} answered "${line.slice(0, 80)}" instead of a 220 greeting`, hint: 'check email.smtp.host/port' });
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? error.message;
      const hint =
        code === 'ECONNREFUSED'
          ? 'nothing listens there: check email.smtp.host/port (587 submission, 465 TLS, 25 relay)'
          : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
            ? 'the host name does not resolve'
            : /certificate|ssl|tls|wrong version/i.test(error.message)
              ? 'TLS failed: secure: true only for port 465'
              : 'check email.smtp settings and the network';
      finish({ ok: false, message: `cannot connect to SMTP ${host}:${port}: ${code}`, hint });
    });
  });
}
