import { z } from 'zod';
import { pipelineSchema, providerSchema } from './providerSchemas.js';

export { echoSchema, openaiRealtimeSchema, pipelineSchema, providerSchema } from './providerSchemas.js';

/**
 * The one schema that holds every configuration default. Key names follow the Python Asterisk-AI-Voice-Agent
 * where one exists, so its users feel at home. Every object is `.strict()`: an unknown key is an error (the
 * loader turns it into "did you mean …").
 */

const portRange = z
  .string()
  .regex(/^\d{1,5}-\d{1,5}$/, 'a range like "18000-18999"')
  .refine((s) => {
    const [a, b] = s.split('-').map(Number) as [number, number];
    return a >= 1024 && b <= 65535 && a <= b;
  }, 'start ≥ 1024, end ≤ 65535, start ≤ end');

export const wireCodecSchema = z.enum(['ulaw', 'alaw', 'slin', 'slin16', 'slin24']);

export const asteriskSchema = z
  .object({
    ari_url: z.string().url().default('http://127.0.0.1:8088'),
    username: z.string().min(1).default('asterisk'),
    password: z.string().default(''),
    app_name: z.string().min(1).default('asterisk-ai-voice-agent'),
    /** Reconnect backoff: first retry, then doubling up to the cap. */
    reconnect_initial_ms: z.number().int().positive().default(500),
    reconnect_max_ms: z.number().int().positive().default(10_000),
    /** REST request timeout; Asterisk answers in ms, a stuck request must not hold a call. */
    request_timeout_ms: z.number().int().positive().default(5_000),
  })
  .strict();

export const externalMediaSchema = z
  .object({
    /** Address our RTP sockets bind to. */
    rtp_host: z.string().default('0.0.0.0'),
    /** Address Asterisk sends RTP to (external_host); differs from rtp_host behind NAT or in containers. */
    advertise_host: z.string().default('127.0.0.1'),
    /** Two ports a call would be plenty; one per call is what we use. 1000 ports ≥ 500 calls with headroom. */
    port_range: portRange.default('18000-18999'),
    codec: wireCodecSchema.default('ulaw'),
    /** Extra source hosts allowed to send us RTP (besides UNICASTRTP_LOCAL_ADDRESS). */
    allowed_remote_hosts: z.array(z.string()).default([]),
    /** Feed silence to the provider when Asterisk stops sending (caller silent) for this long. */
    gap_fill_after_ms: z.number().int().min(20).max(1000).default(60),
    /**
     * Run every call's RTP sockets and 20 ms clocks in one worker thread (default), so pacing never waits for
     * provider messages, ARI events or VAD on the main event loop. false: all on the main loop (fewer calls).
     */
    media_thread: z.boolean().default(true),
    /**
     * Real-time priority (SCHED_RR, 1–99) asked for the media thread, as `asterisk -p` runs Asterisk: a woken
     * media thread then preempts normal work at once, so a busy box still sends every packet on time. Linux with
     * CAP_SYS_NICE (root) and util-linux `chrt`; otherwise `media_thread_nice` applies and the start-up log says
     * why. 0 = do not ask.
     */
    media_thread_realtime_priority: z.number().int().min(0).max(99).default(10),
    /**
     * Nice value (-20…19) for the media thread when it does not run real-time. Lowering it needs CAP_SYS_NICE too.
     * 0 = leave as is.
     */
    media_thread_nice: z.number().int().min(-20).max(19).default(-10),
  })
  .strict();

export const profileSchema = z
  .object({
    /** ExternalMedia `format` (what Asterisk sends us). Outbound uses the matching static payload type. */
    wire_codec: wireCodecSchema.default('ulaw'),
    /** Format the provider consumes/produces. pcmu/pcma are 8 kHz; pcm16 is little-endian at `provider_rate`. */
    provider_encoding: z.enum(['pcmu', 'pcma', 'pcm16']).default('pcmu'),
    provider_rate: z.number().int().refine((r) => [8000, 16000, 24000].includes(r), '8000, 16000 or 24000').default(8000),
    description: z.string().optional(),
  })
  .strict();

export const contextSchema = z
  .object({
    /** Set by the loader for contexts/*.yaml (file name); may be given explicitly. */
    name: z.string().optional(),
    greeting: z.string().default('Hello, how can I help you today?'),
    prompt: z.string().default('You are a helpful, concise phone assistant.'),
    profile: z.string().optional(),
    provider: z.string().optional(),
    /** Allowlist of tool names (aliases accepted). */
    tools: z.array(z.string()).default([]),
    voice: z.string().optional(),
    company_name: z.string().optional(),
    email: z
      .object({ recipients: z.array(z.string().email()).optional(), subject: z.string().optional() })
      .strict()
      .optional(),
    /** Per-context provider overrides (e.g. turn_detection); merged over providers.<key>. */
    provider_overrides: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const vadSchema = z
  .object({
    /** 0 = most permissive … 3 = most strict, as in WebRTC VAD. */
    webrtc_aggressiveness: z.number().int().min(0).max(3).default(1),
    /** Protect the greeting: caller noise/"hello?" never cuts it off. */
    greeting_protection: z.boolean().default(true),
    /** Re-open the gate after this long even if "greeting played out" never arrives. */
    greeting_fallback_ms: z.number().int().positive().default(5_000),
    /** Keep caller speech heard during the greeting for the first turn. */
    keep_greeting_speech: z.boolean().default(false),
    /** While the agent speaks, only local-VAD speech reaches the provider (echo/noise protection). */
    agent_speaking_gate: z.boolean().default(true),
  })
  .strict();

export const bargeInSchema = z
  .object({
    enabled: z.boolean().default(true),
  })
  .strict();

export const failurePolicySchema = z
  .object({
    /** Spoken (via the provider if it still works, else as an Asterisk sound) before the action. */
    message: z.string().default("I'm sorry, I'm having technical difficulties."),
    /** Asterisk sound played when the provider cannot speak the message. */
    sound: z.string().default('sound:an-error-has-occurred'),
    action: z.enum(['transfer', 'voicemail', 'hangup']).default('hangup'),
    /** Destination key under tools.transfer.destinations (for action: transfer). */
    destination: z.string().optional(),
  })
  .strict();

const destinationSchema = z
  .object({
    type: z.enum(['extension', 'queue', 'ringgroup']),
    target: z.string().regex(/^[0-9A-Za-z*#+_-]{1,40}$/, 'digits/letters only, as dialled in the dialplan'),
    description: z.string().min(1),
    /** Dialplan context; FreePBX defaults: from-internal / ext-queues / ext-group. */
    context: z.string().optional(),
  })
  .strict();

export const toolsSchema = z
  .object({
    transfer: z
      .object({
        enabled: z.boolean().default(true),
        mode: z.enum(['blind', 'bridged']).default('blind'),
        /** How long a bridged transfer rings before the caller comes back to the agent. */
        ring_timeout_s: z.number().int().min(5).max(300).default(30),
        moh_class: z.string().default('default'),
        destinations: z.record(z.string(), destinationSchema).default({}),
      })
      .strict()
      .prefault({}),
    cancel_transfer: z.object({ enabled: z.boolean().default(true) }).strict().prefault({}),
    hangup_call: z
      .object({
        enabled: z.boolean().default(true),
        farewell: z.string().default('Thank you for calling. Goodbye!'),
        /** Hang up even if the farewell audio never arrives/drains. */
        timeout_ms: z.number().int().positive().default(10_000),
      })
      .strict()
      .prefault({}),
    leave_voicemail: z
      .object({
        enabled: z.boolean().default(true),
        mailbox: z.string().default(''),
        context: z.string().default('ext-local'),
        /** FreePBX: vmu<ext> = unavailable greeting, vmb<ext> = busy. */
        prefix: z.string().default('vmu'),
        message: z.string().default("I'll connect you to voicemail now. Please leave your message after the tone."),
      })
      .strict()
      .prefault({}),
    send_email_summary: z.object({ enabled: z.boolean().default(true) }).strict().prefault({}),
    request_transcript: z
      .object({
        enabled: z.boolean().default(true),
        max_per_call: z.number().int().min(1).max(10).default(3),
        /** Check the domain has MX/A records before accepting the address. */
        check_domain: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export const emailSchema = z
  .object({
    enabled: z.boolean().default(false),
    from: z.string().default('ai-agent@localhost'),
    recipients: z.array(z.string().email()).default([]),
    subject_prefix: z.string().default('[AI Agent]'),
    smtp: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(1).max(65535).default(587),
        /** true = implicit TLS (465); false = plain, upgraded with STARTTLS when offered. */
        secure: z.boolean().default(false),
        require_tls: z.boolean().default(false),
        user: z.string().optional(),
        password: z.string().optional(),
      })
      .strict()
      .prefault({}),
    /** LLM used for the short summary (OpenAI-compatible Chat Completions). */
    summary: z
      .object({
        enabled: z.boolean().default(true),
        base_url: z.string().url().default('https://api.openai.com/v1'),
        api_key: z.string().default(''),
        model: z.string().default('gpt-4o-mini'),
        timeout_ms: z.number().int().positive().default(20_000),
      })
      .strict()
      .prefault({}),
    spool_dir: z.string().default('./data/email-spool'),
    max_attempts: z.number().int().min(1).default(5),
    retry_initial_ms: z.number().int().positive().default(2_000),
  })
  .strict();

export const callRecordsSchema = z
  .object({
    enabled: z.boolean().default(true),
    dir: z.string().default('./data/calls'),
    retention_days: z.number().int().min(0).default(30),
  })
  .strict();

export const httpSchema = z
  .object({
    enabled: z.boolean().default(true),
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(15_000),
    /** Bearer token for POST /calls and POST /reload; empty = those endpoints refuse. */
    api_token: z.string().default(''),
  })
  .strict();

export const loggingSchema = z
  .object({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Remove caller numbers, transcripts and tool arguments from logs. */
    redact_pii: z.boolean().default(false),
    /** Human-readable output; default: when stdout is a terminal. */
    pretty: z.boolean().optional(),
  })
  .strict();

export const shutdownSchema = z
  .object({ drain_timeout_s: z.number().int().min(0).default(30) })
  .strict();

export const outboundSchema = z
  .object({
    /** Caller ID for calls the agent places. */
    caller_id: z.string().optional(),
    ring_timeout_s: z.number().int().min(5).max(300).default(30),
    /** Run Asterisk's AMD() (via this dialplan context) before the agent speaks. */
    amd_context: z.string().optional(),
  })
  .strict();

export const DEFAULT_PROFILES = {
  telephony_ulaw: { wire_codec: 'ulaw', provider_encoding: 'pcmu', provider_rate: 8000, description: 'μ-law end to end, no transcoding' },
  telephony_alaw: { wire_codec: 'alaw', provider_encoding: 'pcma', provider_rate: 8000, description: 'A-law end to end' },
  openai_pcm24k: { wire_codec: 'ulaw', provider_encoding: 'pcm16', provider_rate: 24000, description: 'μ-law wire, pcm16 24 kHz provider' },
  wideband_pcm24k: { wire_codec: 'slin16', provider_encoding: 'pcm16', provider_rate: 24000, description: 'slin16 in, 8 kHz L16 out' },
} as const;

function inferProviderTypes(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    const isTypeName = key === 'openai_realtime' || key === 'echo';
    out[key] = isTypeName && entry !== null && typeof entry === 'object' && !('type' in entry) ? { ...entry, type: key } : entry;
  }
  return out;
}

export const configSchema = z
  .object({
    asterisk: asteriskSchema.prefault({}),
    external_media: externalMediaSchema.prefault({}),
    default_context: z.string().default('default'),
    default_provider: z.string().default('openai_realtime'),
    default_profile: z.string().default('telephony_ulaw'),
    company_name: z.string().default(''),
    /** `type` may be left out when the key is itself a type name (`openai_realtime`, `echo`). */
    providers: z.preprocess(inferProviderTypes, z.record(z.string(), providerSchema)).prefault({}),
    pipelines: z.record(z.string(), pipelineSchema).default({}),
    profiles: z.record(z.string(), profileSchema).default({}),
    contexts: z.record(z.string(), contextSchema).default({}),
    vad: vadSchema.prefault({}),
    barge_in: bargeInSchema.prefault({}),
    on_provider_failure: failurePolicySchema.prefault({}),
    tools: toolsSchema.prefault({}),
    email: emailSchema.prefault({}),
    call_records: callRecordsSchema.prefault({}),
    http: httpSchema.prefault({}),
    logging: loggingSchema.prefault({}),
    shutdown: shutdownSchema.prefault({}),
    outbound: outboundSchema.prefault({}),
  })
  .strict();

export type AppConfig = z.infer<typeof configSchema>;
export type AsteriskConfig = AppConfig['asterisk'];
export type ExternalMediaConfig = AppConfig['external_media'];
export type ProfileConfig = z.infer<typeof profileSchema>;
export type { EchoConfig, OpenAIRealtimeConfig, PipelineConfig, ProviderConfig } from './providerSchemas.js';
export type ContextConfig = z.infer<typeof contextSchema>;
export type VadConfig = AppConfig['vad'];
export type ToolsConfig = AppConfig['tools'];
export type EmailConfig = AppConfig['email'];
export type CallRecordsConfig = AppConfig['call_records'];
export type FailurePolicy = AppConfig['on_provider_failure'];
export type TransferDestination = z.infer<typeof destinationSchema>;
export type LoggingConfig = AppConfig['logging'];
export type HttpConfig = AppConfig['http'];
