import pino from 'pino';
import { z } from 'zod';
import { pcmToUlaw, ULAW_SILENCE } from '../../../src/media/g711.js';
import { openaiRealtimeSchema, profileSchema, type OpenAIRealtimeConfig } from '../../../src/config/schema.js';
import { OpenAIRealtimeProvider } from '../../../src/providers/openaiRealtime/OpenAIRealtimeProvider.js';
import type { AgentAudio, ProviderError, ProviderEvents, ResponseDoneInfo, ToolCallRequest, TranscriptEntry } from '../../../src/providers/VoiceProvider.js';
import type { ToolDefinition } from '../../../src/tools/ToolDefinition.js';
import { FakeRealtimeServer, type FakeRealtimeServerOptions } from '../../fakes/FakeRealtimeServer.js';

export const API_KEY = 'sk-test-123';
export const silentLogger = pino({ level: 'silent' });

export const lookupOrder: ToolDefinition = {
  name: 'lookup_order',
  description: 'Look up an order by number',
  parameters: z.object({ order_id: z.string() }),
  timeoutMs: 1_000,
  execute: async () => ({ ok: true }),
};

/** Everything the provider emitted, in order. */
export class Recorder {
  audio: AgentAudio[] = [];
  done: ResponseDoneInfo[] = [];
  errors: ProviderError[] = [];
  transcripts: TranscriptEntry[] = [];
  toolCalls: ToolCallRequest[] = [];
  speechStarted = 0;
  closed: string[] = [];

  constructor(p: OpenAIRealtimeProvider) {
    p.on('audio', (a) => this.audio.push(a));
    p.on('responseDone', (d) => this.done.push(d));
    p.on('error', (e) => this.errors.push(e));
    p.on('transcript', (t) => this.transcripts.push(t));
    p.on('toolCall', (t) => this.toolCalls.push(t));
    p.on('speechStarted', () => this.speechStarted++);
    p.on('closed', (c) => this.closed.push(c.reason));
  }

  audioBytes(responseId?: string): number {
    return this.audio.filter((a) => !responseId || a.responseId === responseId).reduce((n, a) => n + a.audio.length, 0);
  }
}

export interface Setup {
  server: FakeRealtimeServer;
  provider: OpenAIRealtimeProvider;
  rec: Recorder;
  config: OpenAIRealtimeConfig;
  start: (opts?: { greeting?: string; tools?: ToolDefinition[] }) => Promise<void>;
  stop: () => Promise<void>;
}

export async function setup(opts: {
  config?: Record<string, unknown>;
  server?: Partial<FakeRealtimeServerOptions>;
  profile?: Record<string, unknown>;
  existing?: FakeRealtimeServer;
} = {}): Promise<Setup> {
  const server = opts.existing ?? (await FakeRealtimeServer.start({ apiKey: API_KEY, ...opts.server }));
  const config = openaiRealtimeSchema.parse({ api_key: API_KEY, base_url: server.url, ...opts.config });
  const profile = profileSchema.parse(opts.profile ?? {});
  const provider = new OpenAIRealtimeProvider({ key: 'openai_realtime', config, profile, logger: silentLogger, startTimeoutMs: 3_000 });
  const rec = new Recorder(provider);
  return {
    server,
    provider,
    rec,
    config,
    start: (s = {}) =>
      provider.start({ callId: 'call-1', instructions: 'You are a phone agent. Be brief.', greeting: s.greeting ?? '', tools: s.tools ?? [], logger: silentLogger }),
    stop: async () => {
      await provider.close();
      await server.close();
    },
  };
}

/** μ-law of a loud 300 Hz tone: the fake's VAD hears it as speech. */
export function speechUlaw(ms: number): Buffer {
  const n = ms * 8;
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) pcm[i] = Math.round(12_000 * Math.sin((2 * Math.PI * 300 * i) / 8000));
  return pcmToUlaw(pcm);
}

export function silenceUlaw(ms: number): Buffer {
  return Buffer.alloc(ms * 8, ULAW_SILENCE);
}

/** Caller talks for `speechMs`, then is silent long enough for the server VAD to end the turn (20 ms frames). */
export function callerTurn(provider: OpenAIRealtimeProvider, speechMs = 300, silenceMs = 700): void {
  for (let t = 0; t < speechMs; t += 20) provider.sendAudio(speechUlaw(20));
  for (let t = 0; t < silenceMs; t += 20) provider.sendAudio(silenceUlaw(20));
}

export function waitForEvent<K extends keyof ProviderEvents & string>(p: OpenAIRealtimeProvider, event: K, timeoutMs = 5_000): Promise<ProviderEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for provider event ${event}`)), timeoutMs);
    p.once(event, (...args: ProviderEvents[K]) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}
