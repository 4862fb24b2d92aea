import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, type ConfigProblem } from '../../src/config/ConfigError.js';
import { loadConfig } from '../../src/config/loadConfig.js';
import { configSchema, DEFAULT_PROFILES } from '../../src/config/schema.js';
import { makeProject, MINIMAL } from './projectFixture.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function project(files: Record<string, string>): Promise<string> {
  const p = await makeProject(files);
  cleanups.push(p.cleanup);
  return p.dir;
}

async function problemsOf(promise: Promise<unknown>): Promise<ConfigProblem[]> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return [...(error as ConfigError).problems];
}

describe('defaults', () => {
  it('fills every documented default', () => {
    expect(configSchema.parse({})).toEqual({
      asterisk: {
        ari_url: 'http://127.0.0.1:8088',
        username: 'asterisk',
        password: '',
        app_name: 'asterisk-ai-voice-agent',
        reconnect_initial_ms: 500,
        reconnect_max_ms: 10_000,
        request_timeout_ms: 5_000,
      },
      external_media: { rtp_host: '0.0.0.0', advertise_host: '127.0.0.1', port_range: '18000-18999', codec: 'ulaw', allowed_remote_hosts: [], gap_fill_after_ms: 60, media_thread: true, media_thread_realtime_priority: 10, media_thread_nice: -10 },
      default_context: 'default',
      default_provider: 'openai_realtime',
      default_profile: 'telephony_ulaw',
      company_name: '',
      providers: {},
      pipelines: {},
      profiles: {},
      contexts: {},
      vad: { webrtc_aggressiveness: 1, greeting_protection: true, greeting_fallback_ms: 5_000, keep_greeting_speech: false, agent_speaking_gate: true },
      barge_in: { enabled: true },
      on_provider_failure: { message: "I'm sorry, I'm having technical difficulties.", sound: 'sound:an-error-has-occurred', action: 'hangup' },
      tools: {
        transfer: { enabled: true, mode: 'blind', ring_timeout_s: 30, moh_class: 'default', destinations: {} },
        cancel_transfer: { enabled: true },
        hangup_call: { enabled: true, farewell: 'Thank you for calling. Goodbye!', timeout_ms: 10_000 },
        leave_voicemail: {
          enabled: true,
          mailbox: '',
          context: 'ext-local',
          prefix: 'vmu',
          message: "I'll connect you to voicemail now. Please leave your message after the tone.",
        },
        send_email_summary: { enabled: true },
        request_transcript: { enabled: true, max_per_call: 3, check_domain: false },
      },
      email: {
        enabled: false,
        from: 'ai-agent@localhost',
        recipients: [],
        subject_prefix: '[AI Agent]',
        smtp: { host: '127.0.0.1', port: 587, secure: false, require_tls: false },
        summary: { enabled: true, base_url: 'https://api.openai.com/v1', api_key: '', model: 'gpt-4o-mini', timeout_ms: 20_000 },
        spool_dir: './data/email-spool',
        max_attempts: 5,
        retry_initial_ms: 2_000,
      },
      call_records: { enabled: true, dir: './data/calls', retention_days: 30 },
      http: { enabled: true, host: '127.0.0.1', port: 15_000, api_token: '' },
      logging: { level: 'info', redact_pii: false },
      shutdown: { drain_timeout_s: 30 },
      outbound: { ring_timeout_s: 30 },
    });
  });

  it('fills provider, pipeline, profile and context defaults', () => {
    const config = configSchema.parse({ providers: { openai_realtime: {}, echo: {} }, pipelines: { p: {} }, profiles: { x: {} }, contexts: { c: {} } });
    expect(config.providers.openai_realtime).toEqual({
      type: 'openai_realtime',
      enabled: true,
      api_key: '',
      base_url: 'wss://api.openai.com/v1',
      api_version: 'ga',
      model: 'gpt-realtime',
      voice: 'marin',
      speed: 1,
      turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500, create_response: true, interrupt_response: true, idle_timeout_ms: null },
      transcription: { model: 'gpt-4o-mini-transcribe' },
      noise_reduction: 'near_field',
      max_output_tokens: 'inf',
      reconnect_timeout_ms: 2_500,
      session_renew_before_ms: 120_000,
    });
    expect(config.providers.echo).toEqual({ type: 'echo', enabled: true, delay_ms: 500, level_log_interval_ms: 1_000 });
    const stage = { base_url: 'https://api.openai.com/v1', api_key: '', timeout_ms: 15_000, max_retries: 2 };
    expect(config.pipelines.p).toEqual({
      enabled: true,
      stt: { ...stage, model: 'whisper-1' },
      llm: { ...stage, model: 'gpt-4o-mini', max_tokens: 400, history_max_chars: 12_000 },
      tts: { ...stage, model: 'gpt-4o-mini-tts', voice: 'alloy', speed: 1, response_format: 'pcm', sample_rate: 24_000 },
      endpointing: { start_ms: 200, silence_duration_ms: 700, prefix_padding_ms: 300, min_utterance_ms: 400, max_utterance_ms: 30_000 },
    });
    expect(config.profiles.x).toEqual({ wire_codec: 'ulaw', provider_encoding: 'pcmu', provider_rate: 8000 });
    expect(config.contexts.c).toEqual({ greeting: 'Hello, how can I help you today?', prompt: 'You are a helpful, concise phone assistant.', tools: [] });
  });

  it('loads a minimal file with built-in profiles and the echo provider, and names each context', async () => {
    const dir = await project({ 'config/ai-agent.yaml': MINIMAL });
    const loaded = await loadConfig({ cwd: dir, env: {} });
    expect(Object.keys(loaded.config.profiles).sort()).toEqual(Object.keys(DEFAULT_PROFILES).sort());
    expect(loaded.config.profiles.telephony_ulaw).toEqual({ ...DEFAULT_PROFILES.telephony_ulaw });
    expect(loaded.config.providers.echo?.type).toBe('echo');
    expect(loaded.config.contexts.default?.name).toBe('default');
    expect(loaded.configPath).toBe(`${dir}/config/ai-agent.yaml`);
    expect(loaded.projectDir).toBe(dir);
    expect(loaded.secrets).toEqual(['secret-ari-password']);
  });
});

describe('errors', () => {
  it('reports a missing main file with a hint', async () => {
    const dir = await project({});
    const [problem, ...rest] = await problemsOf(loadConfig({ cwd: dir, env: {} }));
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ file: 'config/ai-agent.yaml', message: 'configuration file not found' });
    expect(problem?.hint).toMatch(/--config/);
  });

  it('reports YAML syntax errors with line and column', async () => {
    const dir = await project({ 'config/ai-agent.yaml': 'asterisk:\n  password: x\ncontexts:\n  default: [unclosed\n' });
    const problems = await problemsOf(loadConfig({ cwd: dir, env: {} }));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({ file: 'config/ai-agent.yaml', line: expect.any(Number), column: expect.any(Number) });
    expect(problems[0]!.line).toBeGreaterThanOrEqual(4);
    expect(problems[0]!.message).toMatch(/^YAML syntax error/);
  });

  it('reports a tab used as indentation on its line', async () => {
    const dir = await project({ 'config/ai-agent.yaml': 'asterisk:\n\tpassword: x\n' });
    const problems = await problemsOf(loadConfig({ cwd: dir, env: {} }));
    expect(problems.some((p) => p.line === 2)).toBe(true);
  });

  it('reports every problem at once: wrong types, unknown keys with suggestions, bad enum values', async () => {
    const dir = await project({
      'config/ai-agent.yaml': `
asterisk:
  ari_ur: http://pbx:8088
  password: x
external_media:
  codec: g729
  port_range: 18000
email:
  smtp:
    port: "not a number"
providers:
  openai_realtime:
    voise: marin
contexts:
  default:
    tools: transfer
loging:
  level: info
`,
    });
    const problems = await problemsOf(loadConfig({ cwd: dir, env: {} }));
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p]));
    expect(byPath['asterisk.ari_ur']).toMatchObject({ file: 'config/ai-agent.yaml', line: 3, message: "unknown key 'ari_ur'", hint: "did you mean 'ari_url'?" });
    expect(byPath['providers.openai_realtime.voise']).toMatchObject({ line: 13, hint: "did you mean 'voice'?" });
    expect(byPath['loging']).toMatchObject({ line: 17, hint: "did you mean 'logging'?" });
    expect(byPath['external_media.codec']?.message).toMatch(/expected one of ulaw, alaw/);
    expect(byPath['external_media.port_range']).toMatchObject({ line: 7, message: 'expected string, got number 18000', hint: 'quote it: "18000"' });
    expect(byPath['email.smtp.port']?.message).toBe('expected number, got text "not a number"');
    expect(byPath['contexts.default.tools']).toMatchObject({ message: 'expected a list, got text "transfer"', hint: 'write a list: [transfer]' });
  });

  it('suggests pipelines: when an STT/LLM/TTS chain is put under providers:', async () => {
    const dir = await project({ 'config/ai-agent.yaml': `${MINIMAL}providers:\n  local:\n    stt: {}\n    llm: {}\n` });
    const problems = await problemsOf(loadConfig({ cwd: dir, env: {} }));
    expect(problems).toEqual([expect.objectContaining({ path: 'providers.local.type', hint: expect.stringMatching(/pipelines:/) })]);
  });

  it('never prints a secret value in a type error', async () => {
    const dir = await project({ 'config/ai-agent.yaml': 'asterisk:\n  password: 98765432\ndefault_provider: echo\ncontexts: { default: {} }\n' });
    const problems = await problemsOf(loadConfig({ cwd: dir, env: {} }));
    expect(problems).toHaveLength(1);
    expect(JSON.stringify(problems)).not.toContain('98765432');
    expect(problems[0]).toMatchObject({ path: 'asterisk.password', hint: 'put the value in quotes' });
  });

  it('reports references to contexts, providers, profiles, tools and destinations that do not exist', async () => {
    const dir = await project({
      'config/ai-agent.yaml': `
asterisk: { password: x }
default_context: main
default_provider: echoo
default_profile: telephony_ulw
on_provider_failure: { action: transfer, destination: reception }
tools:
  transfer:
    destinations:
      sales: { type: queue, target: "400", description: Sales }
contexts:
  default:
    provider: nope
    profile: nope
    tools: [transfer_call, end_call, make_coffee]
`,
    });
    const problems = await problemsOf(loadConfig({ cwd: dir, env: {} }));
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p]));
    expect(byPath['default_context']).toMatchObject({ line: 3, message: "context 'main' is not defined" });
    expect(byPath['default_provider']).toMatchObject({ message: "provider 'echoo' is not defined", hint: "did you mean 'echo'?" });
    expect(byPath['default_profile']).toMatchObject({ message: "profile 'telephony_ulw' is not defined", hint: "did you mean 'telephony_ulaw'?" });
    expect(byPath['on_provider_failure.destination']).toMatchObject({ message: "transfer destination 'reception' is not defined", hint: expect.stringContaining('sales') });
    expect(byPath['contexts.default.provider']?.message).toBe("provider 'nope' is not defined");
    expect(byPath['contexts.default.profile']?.message).toBe("profile 'nope' is not defined");
    expect(byPath['contexts.default.tools[2]']).toMatchObject({ line: 15, message: "unknown tool 'make_coffee'" });
    expect(problems).toHaveLength(7);
  });

  it('accepts tool aliases and stores the canonical names', async () => {
    const dir = await project({ 'config/ai-agent.yaml': `${MINIMAL}    tools: [transfer_call, end_call, transfer]\n`.replace('default: {}', 'default:') });
    const loaded = await loadConfig({ cwd: dir, env: {} });
    expect(loaded.config.contexts.default?.tools).toEqual(['transfer', 'hangup_call']);
  });

  it('refuses a disabled provider and an impossible profile for OpenAI Realtime', async () => {
    const dir = await project({
      'config/ai-agent.yaml': `
asterisk: { password: x }
default_provider: echo
providers:
  echo: { enabled: false }
  openai_realtime: { api_key: sk-test }
profiles:
  pcm16k: { wire_codec: slin16, provider_encoding: pcm16, provider_rate: 16000 }
  bad: { provider_encoding: pcmu, provider_rate: 16000 }
contexts:
  default: { provider: openai_realtime, profile: pcm16k }
`,
    });
    const problems = await problemsOf(loadConfig({ cwd: dir, env: {} }));
    expect(problems.map((p) => p.path).sort()).toEqual(['contexts.default', 'default_provider', 'profiles.bad.provider_rate']);
    expect(problems.find((p) => p.path === 'default_provider')?.message).toMatch(/disabled/);
    expect(problems.find((p) => p.path === 'contexts.default')?.message).toMatch(/only takes 24000 Hz/);
  });

  it('requires an API key for a used OpenAI provider but not for a self-hosted one', async () => {
    const dir = await project({
      'config/ai-agent.yaml': `
asterisk: { password: x }
default_provider: openai_realtime
providers:
  openai_realtime: {}
pipelines:
  local:
    stt: { base_url: http://127.0.0.1:8000/v1 }
    llm: { base_url: http://127.0.0.1:11434/v1 }
    tts: { base_url: http://127.0.0.1:8880/v1 }
contexts:
  default: {}
  local: { provider: local }
`,
    });
    const problems = await problemsOf(loadConfig({ cwd: dir, env: {} }));
    expect(problems).toEqual([expect.objectContaining({ path: 'providers.openai_realtime.api_key', message: 'is empty but OpenAI needs an API key' })]);
  });
});

describe('environment variables', () => {
  const withVars = `
asterisk:
  ari_url: \${ARI_URL:-http://127.0.0.1:8088}
  password: \${ARI_PASSWORD}
default_provider: \${PROVIDER:-echo}
providers:
  openai_realtime:
    api_key: \${OPENAI_API_KEY}
email:
  enabled: \${EMAIL_ENABLED:-false}
  smtp:
    port: \${SMTP_PORT:-2525}
    password: \${SMTP_PASSWORD}
contexts:
  default:
    greeting: "Costs $\${PRICE} at \${COMPANY-Acme}"
`;

  it('expands ${VAR}, ${VAR:-default}, ${VAR-default}, $${ and types whole-value numbers and booleans', async () => {
    const dir = await project({ 'config/ai-agent.yaml': withVars });
    const { config } = await loadConfig({ cwd: dir, env: { ARI_PASSWORD: 'pw', ARI_URL: '', COMPANY: '' } });
    expect(config.asterisk.password).toBe('pw');
    expect(config.asterisk.ari_url).toBe('http://127.0.0.1:8088');
    expect(config.email.smtp.port).toBe(2525);
    expect(config.email.enabled).toBe(false);
    expect(config.contexts.default?.greeting).toBe('Costs ${PRICE} at ');
  });

  it('an unset ${VAR} in a disabled or unused section becomes empty', async () => {
    const dir = await project({ 'config/ai-agent.yaml': withVars });
    const { config } = await loadConfig({ cwd: dir, env: { ARI_PASSWORD: 'pw' } });
    expect(config.email.smtp.password).toBe('');
    expect(config.providers.openai_realtime?.type === 'openai_realtime' && config.providers.openai_realtime.api_key).toBe('');
  });

  it('an unset ${VAR} used by an enabled feature is an error that names it and why', async () => {
    const dir = await project({ 'config/ai-agent.yaml': withVars });
    const problems = await problemsOf(loadConfig({ cwd: dir, env: { PROVIDER: 'openai_realtime', EMAIL_ENABLED: 'true' } }));
    expect(problems.map((p) => [p.path, p.variable])).toEqual([
      ['asterisk.password', 'ARI_PASSWORD'],
      ['providers.openai_realtime.api_key', 'OPENAI_API_KEY'],
      // Not a variable: email.summary defaults to OpenAI and so needs a key once email is on.
      ['email.summary.api_key', undefined],
      ['email.smtp.password', 'SMTP_PASSWORD'],
    ]);
    expect(problems[0]).toMatchObject({ line: 4, message: '${ARI_PASSWORD} is not set' });
    expect(problems[1]?.hint).toMatch(/default_provider/);
  });

  it('an empty variable counts as unset for ${VAR}', async () => {
    const dir = await project({ 'config/ai-agent.yaml': withVars });
    const problems = await problemsOf(loadConfig({ cwd: dir, env: { ARI_PASSWORD: '' } }));
    expect(problems.map((p) => p.variable)).toEqual(['ARI_PASSWORD']);
  });

  it('reads .env without overriding the environment, and never touches process.env', async () => {
    const dir = await project({ 'config/ai-agent.yaml': withVars, '.env': 'ARI_PASSWORD=from-dotenv\nSMTP_PORT=2600\n# comment\nUNRELATED_TEST_VAR=1\n' });
    const loaded = await loadConfig({ cwd: dir, env: { SMTP_PORT: '2700' } });
    expect(loaded.config.asterisk.password).toBe('from-dotenv');
    expect(loaded.config.email.smtp.port).toBe(2700);
    expect(loaded.dotenv).toEqual({ ARI_PASSWORD: 'from-dotenv', UNRELATED_TEST_VAR: '1' });
    expect(loaded.envFiles).toEqual([`${dir}/.env`]);
    expect(process.env.UNRELATED_TEST_VAR).toBeUndefined();
  });

  it('reports a malformed placeholder', async () => {
    const dir = await project({ 'config/ai-agent.yaml': `${MINIMAL}company_name: "\${BAD NAME}"\n` });
    const problems = await problemsOf(loadConfig({ cwd: dir, env: {} }));
    expect(problems).toEqual([expect.objectContaining({ path: 'company_name', message: 'malformed placeholder ${BAD NAME}' })]);
  });
});

describe('merging', () => {
  const main = `
asterisk:
  password: main-pw
  app_name: main-app
external_media:
  allowed_remote_hosts: [10.0.0.1, 10.0.0.2]
default_provider: echo
contexts:
  default:
    greeting: main greeting
    prompt: main prompt
    tools: [transfer, hangup_call]
`;

  it('deep-merges the local file: maps merge, scalars and lists replace', async () => {
    const dir = await project({
      'config/ai-agent.yaml': main,
      'config/ai-agent.local.yaml': 'asterisk:\n  password: local-pw\nexternal_media:\n  allowed_remote_hosts: [10.0.0.9]\ncontexts:\n  default:\n    tools: [hangup_call]\n',
    });
    const loaded = await loadConfig({ cwd: dir, env: {} });
    expect(loaded.config.asterisk.password).toBe('local-pw');
    expect(loaded.config.asterisk.app_name).toBe('main-app');
    expect(loaded.config.external_media.allowed_remote_hosts).toEqual(['10.0.0.9']);
    expect(loaded.config.contexts.default).toMatchObject({ greeting: 'main greeting', tools: ['hangup_call'] });
    expect(loaded.files).toEqual([`${dir}/config/ai-agent.yaml`, `${dir}/config/ai-agent.local.yaml`]);
  });

  it('adds one context per contexts/*.yaml, named by file or by name:', async () => {
    const dir = await project({
      'config/ai-agent.yaml': main,
      'contexts/sales.yaml': 'greeting: Sales here\ntools: [transfer]\n',
      'contexts/x.yml': 'name: support\ngreeting: Support here\n',
      'contexts/README.txt': 'not a context',
    });
    const { config } = await loadConfig({ cwd: dir, env: {} });
    expect(Object.keys(config.contexts).sort()).toEqual(['default', 'sales', 'support']);
    expect(config.contexts.sales).toMatchObject({ name: 'sales', greeting: 'Sales here', tools: ['transfer'] });
    expect(config.contexts.support).toMatchObject({ name: 'support', greeting: 'Support here' });
  });

  it('an inline context wins over the contexts/ file of the same name', async () => {
    const dir = await project({
      'config/ai-agent.yaml': main,
      'contexts/default.yaml': 'greeting: file greeting\nvoice: cedar\n',
    });
    const { config } = await loadConfig({ cwd: dir, env: {} });
    expect(config.contexts.default).toMatchObject({ greeting: 'main greeting', prompt: 'main prompt', voice: 'cedar' });
  });

  it('locates problems in context files and rejects two files with one name', async () => {
    const dir = await project({
      'config/ai-agent.yaml': main,
      'contexts/a.yaml': 'name: same\ngreeting: a\n',
      'contexts/b.yaml': 'name: same\ngreeting: b\n',
      'contexts/c.yaml': 'greeting: c\nprofile: nope\n',
    });
    const problems = await problemsOf(loadConfig({ cwd: dir, env: {} }));
    expect(problems).toEqual([
      expect.objectContaining({ file: 'contexts/b.yaml', message: "context 'same' is also defined by contexts/a.yaml" }),
    ]);
    await import('node:fs/promises').then((fs) => fs.rm(`${dir}/contexts/b.yaml`));
    const next = await problemsOf(loadConfig({ cwd: dir, env: {} }));
    expect(next).toEqual([expect.objectContaining({ file: 'contexts/c.yaml', line: 2, path: 'contexts.c.profile' })]);
  });

  it('uses --config, then AI_AGENT_CONFIG, and the local override next to that file', async () => {
    const dir = await project({
      'config/ai-agent.yaml': main,
      'etc/agent.yaml': main.replace('main-app', 'etc-app'),
      'etc/agent.local.yaml': 'company_name: Local Inc\n',
    });
    const viaEnv = await loadConfig({ cwd: dir, env: { AI_AGENT_CONFIG: 'etc/agent.yaml' } });
    expect(viaEnv.config.asterisk.app_name).toBe('etc-app');
    expect(viaEnv.config.company_name).toBe('Local Inc');
    const viaFlag = await loadConfig({ cwd: dir, env: { AI_AGENT_CONFIG: 'etc/agent.yaml' }, configPath: 'config/ai-agent.yaml' });
    expect(viaFlag.config.asterisk.app_name).toBe('main-app');
  });

  it('merges user profiles over the built-in ones', async () => {
    const dir = await project({ 'config/ai-agent.yaml': `${MINIMAL}profiles:\n  telephony_ulaw: { description: mine }\n  custom: { wire_codec: alaw, provider_encoding: pcm16, provider_rate: 24000 }\n` });
    const { config } = await loadConfig({ cwd: dir, env: {} });
    expect(config.profiles.telephony_ulaw).toEqual({ wire_codec: 'ulaw', provider_encoding: 'pcmu', provider_rate: 8000, description: 'mine' });
    expect(config.profiles.custom?.wire_codec).toBe('alaw');
    expect(config.profiles.wideband_pcm24k).toBeDefined();
  });

  it('warns about an ari_url that ends in /ari', async () => {
    const dir = await project({ 'config/ai-agent.yaml': `${MINIMAL}`.replace('asterisk:', 'asterisk:\n  ari_url: http://pbx:8088/ari') });
    const loaded = await loadConfig({ cwd: dir, env: {} });
    expect(loaded.warnings).toEqual([expect.objectContaining({ path: 'asterisk.ari_url', hint: 'use http://pbx:8088' })]);
  });
});
