import type { Logger } from 'pino';
import type { ExternalMediaConfig } from '../config/schema.js';
import { InlineMediaHost } from './InlineMediaHost.js';
import type { MediaHost } from './MediaChannel.js';
import { WorkerMediaHost } from './WorkerMediaHost.js';

export function parsePortRange(range: string): { minPort: number; maxPort: number } {
  const [a, b] = range.split('-').map(Number) as [number, number];
  return { minPort: a, maxPort: b };
}

/** `external_media.media_thread` (default true): RTP and its 20 ms clocks in a worker thread, or on the main loop. */
export function createMediaHost(em: ExternalMediaConfig, logger: Logger): MediaHost {
  const ports = { host: em.rtp_host, ...parsePortRange(em.port_range) };
  const log = logger.child({ component: 'media' });
  if (em.media_thread) return new WorkerMediaHost({ ...ports, priority: { realtime: em.media_thread_realtime_priority, nice: em.media_thread_nice }, logger: log });
  return new InlineMediaHost(ports, { onTimerError: (err) => log.warn({ err: String(err) }, 'media timer callback threw') });
}
