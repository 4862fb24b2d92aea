/**
 * Child process hosting the fake OpenAI Realtime server for the scale benchmark (its JSON/base64 work must not
 * delay the simulated callers' clocks). Every response, the greeting included, is `audioMs` of audio streamed at
 * about 5× real time, as the real API streams ahead of playback.
 * IPC: sends { url } when listening; { cmd: 'audioMs', ms } sets the response length; { cmd: 'stop' }.
 */
import { FakeRealtimeServer } from '../../test/fakes/FakeRealtimeServer.js';

/** Deltas are 20–200 ms of audio (110 ms on average) every 20 ms: ~5× real time. */
const DELTA_INTERVAL_MS = 20;

const server = await FakeRealtimeServer.start({ apiKey: 'sk-bench', deltaIntervalMs: DELTA_INTERVAL_MS });
let audioMs = 10_000;
server.script(() => ({ text: 'A long greeting.', audioMs }));
process.on('message', (m: { cmd: string; ms?: number }) => {
  if (m.cmd === 'audioMs') {
    audioMs = m.ms ?? audioMs;
    process.send?.({ ok: true });
  } else if (m.cmd === 'stop') {
    void server.close().then(() => process.disconnect?.());
  }
});
process.send?.({ url: server.url });
