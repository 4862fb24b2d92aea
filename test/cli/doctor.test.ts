import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands.js';
import { runCli } from '../../src/cli/runCli.js';
import { makeProject } from '../config/projectFixture.js';
import { closedPort, startFakeAri } from './fakeAri.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function freeUdpRange(): Promise<string> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  const first = Math.min(port, 65_000);
  return `${first}-${first + 9}`;
}

async function doctor(ariUrl: string, extra = ''): Promise<{ code: number; out: string }> {
  const project = await makeProject({
    'config/ai-agent.yaml': `
asterisk: { ari_url: "${ariUrl}", password: pw }
external_media: { rtp_host: 127.0.0.1, port_range: "${await freeUdpRange()}" }
default_provider: echo
contexts: { default: {} }
${extra}`,
  });
  closers.push(project.cleanup);
  let out = '';
  const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (out += t), env: {}, cwd: project.dir };
  const code = await runCli(['doctor', '--timeout', '2000'], io, commands);
  return { code, out };
}

describe('ai-agent doctor', () => {
  it('passes against a healthy ARI and says the app registers on start', async () => {
    const ari = await startFakeAri('ok');
    closers.push(ari.close);
    const { code, out } = await doctor(ari.url);
    expect(out).toContain(`✓ ARI at ${ari.url}: Asterisk 22.10.1, user 'asterisk' accepted`);
    expect(out).toContain("Stasis app 'asterisk-ai-voice-agent' is not registered yet");
    expect(out).toMatch(/✓ RTP ports \d+-\d+ bindable on 127\.0\.0\.1/);
    expect(out).toContain('email disabled');
    expect(out).not.toContain('✗');
    expect(code).toBe(0);
  });

  it('fails on 401 with the ari.conf fix', async () => {
    const ari = await startFakeAri('unauthorized');
    closers.push(ari.close);
    const { code, out } = await doctor(ari.url);
    expect(code).toBe(1);
    expect(out).toMatch(/✗ ARI at .*: ARI refused user 'asterisk' \(HTTP 401\)\n {4}fix: .*ari\.conf/);
  });

  it('fails on 404 with the wrong-path fix', async () => {
    const ari = await startFakeAri('ok');
    closers.push(ari.close);
    const { code, out } = await doctor(`${ari.url}/ari`);
    expect(code).toBe(1);
    expect(out).toContain('must not end in /ari');
    // The loader warns about it too.
    expect(out).toMatch(/! config: .*asterisk\.ari_url: ari_url ends in \/ari/);
  });

  it('fails on a closed port with the http.conf fix', async () => {
    const port = await closedPort();
    const { code, out } = await doctor(`http://127.0.0.1:${port}`);
    expect(code).toBe(1);
    expect(out).toMatch(/✗ ARI at .*connection refused.*\n {4}fix: .*http\.conf/);
  });

  it('fails when the SMTP server is unreachable with email enabled, and when RTP ports are taken', async () => {
    const ari = await startFakeAri('ok');
    closers.push(ari.close);
    const smtpPort = await closedPort();
    const { code, out } = await doctor(ari.url, `email: { enabled: true, recipients: [a@example.com], smtp: { port: ${smtpPort} }, summary: { enabled: false } }\n`);
    expect(code).toBe(1);
    expect(out).toMatch(new RegExp(`✗ cannot connect to SMTP 127\\.0\\.0\\.1:${smtpPort}: ECONNREFUSED`));
  });

  it('reads an SMTP greeting', async () => {
    const ari = await startFakeAri('ok');
    closers.push(ari.close);
    const net = await import('node:net');
    const smtp = net.createServer((socket) => {
      socket.write('220 mail.example.com ESMTP ready\r\n');
      socket.on('data', () => socket.end('221 bye\r\n'));
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => smtp.close(() => resolve())));
    const { port } = smtp.address() as AddressInfo;
    const { code, out } = await doctor(ari.url, `email: { enabled: true, recipients: [a@example.com], smtp: { port: ${port} }, summary: { enabled: false } }\n`);
    expect(out).toContain(`✓ SMTP 127.0.0.1:${port} reachable: 220 mail.example.com ESMTP ready`);
    expect(code).toBe(0);
  });

  it('reports RTP ports already in use', async () => {
    const ari = await startFakeAri('ok');
    closers.push(ari.close);
    const holder = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    const { port } = holder.address() as AddressInfo;
    const project = await makeProject({
      'config/ai-agent.yaml': `asterisk: { ari_url: "${ari.url}", password: pw }\nexternal_media: { rtp_host: 127.0.0.1, port_range: "${port}-${port + 20}" }\ndefault_provider: echo\ncontexts: { default: {} }\n`,
    });
    closers.push(project.cleanup);
    let out = '';
    const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (out += t), env: {}, cwd: project.dir };
    expect(await runCli(['doctor'], io, commands)).toBe(1);
    expect(out).toMatch(new RegExp(`✗ RTP ports on 127\\.0\\.0\\.1 not bindable: ${port}: EADDRINUSE`));
  });

  it('flags advertise_host 127.0.0.1 when Asterisk is on another machine', async () => {
    const { out } = await doctor('http://no-such-pbx.invalid:8088');
    expect(out).toMatch(/✗ ARI at .*does not resolve/);
    expect(out).toMatch(/✗ external_media\.advertise_host is 127\.0\.0\.1 but Asterisk runs on no-such-pbx\.invalid/);
  });
});
