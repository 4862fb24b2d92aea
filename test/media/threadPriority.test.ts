import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerMediaHost } from '../../src/media/WorkerMediaHost.js';

/** The media thread asks the OS for its own priority; the rest of the process keeps its own. */
describe('media thread priority', () => {
  let host: WorkerMediaHost | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });
  const base = 47_500 + Math.floor(Math.random() * 400);
  const make = (nice: number) => new WorkerMediaHost({ host: '127.0.0.1', minPort: base, maxPort: base + 9, nice, logger: pino({ level: 'silent' }) });

  it.runIf(process.platform === 'linux')('applies a nice value any process may take (raising it) to the media thread only', async () => {
    host = make(5);
    await host.start();
    expect(host.priority).toEqual({ applied: true, nice: 5 });
    const os = await import('node:os');
    expect(os.getPriority(process.pid)).not.toBe(5); // the main thread is untouched
  });

  it.runIf(process.platform === 'linux')('asks for a higher priority; applied with CAP_SYS_NICE, otherwise says why and runs anyway', async () => {
    host = make(-5);
    await host.start();
    // Root may still lack CAP_SYS_NICE (a container): either outcome is fine, as long as it is the truth.
    if (host.priority?.applied) expect(host.priority).toEqual({ applied: true, nice: -5 });
    else expect(host.priority).toMatchObject({ applied: false, nice: -5, reason: expect.stringMatching(/CAP_SYS_NICE/) });
    if (process.getuid?.() !== 0) expect(host.priority?.applied).toBe(false);
    const ch = await host.open({ inboundCodec: 'ulaw', outboundCodec: 'ulaw', allowedHosts: [], gapFill: false });
    expect(ch.port).toBeGreaterThanOrEqual(base);
    await ch.close();
  });
});
