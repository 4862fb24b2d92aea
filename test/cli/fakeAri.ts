import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Answers like Asterisk 22's ARI: /ari/asterisk/info with basic auth, /ari/applications/<app>. */
export const ASTERISK_INFO = {
  build: { os: 'Linux', kernel: '6.1.0', machine: 'x86_64', options: 'OPTIONAL_API', date: '2025-11-21 04:39:05 UTC', user: 'root' },
  system: { version: '22.10.1', entity_id: '02:fc:00:00:00:01' },
  config: { name: '', default_language: 'en', setid: { user: '', group: '' } },
  status: { startup_time: '2025-11-21T04:43:20.537+0000', last_reload_time: '2025-11-21T04:43:20.537+0000' },
};

export type FakeAriMode = 'ok' | 'unauthorized' | 'not_found' | 'not_ari' | 'silent';

export async function startFakeAri(mode: FakeAriMode, opts: { user?: string; password?: string; prefix?: string } = {}): Promise<{ url: string; close: () => Promise<void>; requests: string[] }> {
  const requests: string[] = [];
  const expected = `Basic ${Buffer.from(`${opts.user ?? 'asterisk'}:${opts.password ?? 'pw'}`).toString('base64')}`;
  const prefix = opts.prefix ?? '';
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (mode === 'silent') return; // never answers: a firewall that drops
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (mode === 'not_ari') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>FreePBX</html>');
      return;
    }
    if (mode === 'not_found' || !req.url?.startsWith(`${prefix}/ari/`)) {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<title>404 Not Found</title>');
      return;
    }
    if (mode === 'unauthorized' || req.headers.authorization !== expected) return json(401, { error: 'Authentication required' });
    if (req.url === `${prefix}/ari/asterisk/info`) return json(200, ASTERISK_INFO);
    if (req.url.startsWith(`${prefix}/ari/applications/`)) return json(404, { message: 'Application not found' });
    return json(404, { message: 'Resource not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
