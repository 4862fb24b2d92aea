/**
 * Child process hosting the fake OpenAI Realtime server for the scale benchmark (its JSON/base64 work must not
 * delay the simulated callers' clocks). Every response, the greeting included, is `audioMs` of audio streamed at
 * about 5× real time, as the real API streams ahead of playback.
 * IPC: sends { url } when listening; { cmd: 'audioMs', ms } sets the response length; { cmd: 'mark' } starts
 * watching the latest connection; { cmd: 'marks' } returns, for each response on the latest connection, when its first
 * audio delta was handed to the socket ({ marks: ms[] }, monotonic clock shared by every process); { cmd: 'stop' }.
 */
import { FakeRealtimeServer } from '../../test/fakes/FakeRealtimeServer.js';

/** Deltas are 20–200 ms of audio (110 ms on average) every 20 ms: ~5× real time. */
const DELTA_INTERVAL_MS = 20;

const server = await FakeRealtimeServer.start({ apiKey: 'sk-bench', deltaIntervalMs: DELTA_INTERVAL_MS });
let audioMs = 10_000;
server.script(() => ({ text: 'A long greeting.', audioMs }));

/** Monotonic ms (CLOCK_MONOTONIC: comparable between processes on one machine). */
const mono = (): number => Number(process.hrtime.bigint()) / 1e6;
const firstDeltaAt = new Map<string, number>();
let marked: unknown;
function markLatest(): void {
  const conn = server.last;
  if (!conn || conn === marked) return;
  marked = conn;
  firstDeltaAt.clear();
  const send = conn.send.bind(conn);
  conn.send = (ev: Record<string, unknown>): void => {
    const rid = ev.response_id;
    if (ev.type === 'response.output_audio.delta' && typeof rid === 'string' && !firstDeltaAt.has(rid)) firstDeltaAt.set(rid, mono());
    send(ev);
  };
}
process.on('message', (m: { cmd: string; ms?: number }) => {
  if (m.cmd === 'audioMs') {
    audioMs = m.ms ?? audioMs;
    process.send?.({ ok: true });
  } else if (m.cmd === 'mark') {
    markLatest();
    process.send?.({ ok: true });
  } else if (m.cmd === 'marks') {
    process.send?.({ marks: [...firstDeltaAt.values()] });
  } else if (m.cmd === 'stop') {
    void server.close().then(() => process.disconnect?.());
  }
});
process.send?.({ url: server.url });
