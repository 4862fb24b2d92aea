import dgram from 'node:dgram';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { CallMedia } from '../../src/call/CallMedia.js';
import { vadSchema } from '../../src/config/schema.js';
import { InlineMediaHost } from '../../src/media/InlineMediaHost.js';

/** A barge-in cut must hold while the media clock answers how much was heard: late audio of the cut response stays silent. */
describe('CallMedia flush', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup() {
    const base = 46_000 + Math.floor(Math.random() * 900);
    const host = new InlineMediaHost({ host: '127.0.0.1', minPort: base, maxPort: base + 4 });
    cleanups.push(() => host.close());
    const asterisk = dgram.createSocket('udp4');
    await new Promise<void>((r) => asterisk.bind(0, '127.0.0.1', () => r()));
    cleanups.push(() => {
      asterisk.close();
    });
    let packets = 0;
    asterisk.on('message', () => packets++);
    const rtp = await host.open({ inboundCodec: 'ulaw', outboundCodec: 'ulaw', allowedHosts: [], gapFill: false });
    rtp.setRemote('127.0.0.1', asterisk.address().port);
    const fmt = { encoding: 'pcmu', sampleRate: 8000 } as const;
    const media = new CallMedia({ rtp, wireCodec: 'ulaw', providerInput: fmt, providerOutput: fmt, vad: vadSchema.parse({}), logger: pino({ level: 'silent' }), sink: () => undefined });
    cleanups.push(() => media.close());
    return { media, packets: () => packets };
  }

  const audio = (ms: number) => Buffer.alloc(8 * ms, 0x55);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('drops audio of the cut response that arrives before the flush answers, and plays a new response', async () => {
    const { media, packets } = await setup();
    media.playAgentAudio({ audio: audio(1000), responseId: 'r1', itemId: 'i1' });
    await sleep(100);
    expect(media.agentSpeaking).toBe(true);
    const flushed = media.flush();
    media.playAgentAudio({ audio: audio(500), responseId: 'r1', itemId: 'i1' }); // in flight when the cut happened
    const played = await flushed;
    expect(played).toHaveLength(1);
    expect(played[0]).toMatchObject({ responseId: 'r1', itemId: 'i1' });
    await sleep(100);
    const afterCut = packets();
    await sleep(200);
    expect(packets()).toBe(afterCut); // nothing of r1 played after the cut
    expect(media.agentSpeaking).toBe(false);

    media.playAgentAudio({ audio: audio(200), responseId: 'r2', itemId: 'i2' });
    media.endOfItem('i2');
    await media.waitForPlayout(5_000);
    await sleep(100); // loopback delivery
    expect(packets() - afterCut).toBe(10);
  });
});
