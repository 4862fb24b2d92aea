import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { callLogger, createLogger } from '../../src/util/logger.js';

function collector(): { lines: string[]; destination: { write(line: string): void } } {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

const OPENAI_KEY = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
const ARI_PASSWORD = 'ari-Pa55word-XYZ';
const SMTP_PASSWORD = 'smtp-s3cret-value';

const config = configSchema.parse({
  asterisk: { password: ARI_PASSWORD },
  providers: { openai_realtime: { api_key: OPENAI_KEY } },
  email: { smtp: { password: SMTP_PASSWORD } },
});

describe('logger', () => {
  it('writes JSON lines with level names, time and message', () => {
    const { lines, destination } = collector();
    createLogger({ level: 'info' }, { destination }).info({ calls: 2 }, 'ready');
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'info', msg: 'ready', calls: 2 });
    expect(typeof entry.time).toBe('string');
  });

  it('never writes API keys, the ARI password or the SMTP password, however they are logged', () => {
    const { lines, destination } = collector();
    const logger = createLogger({ level: 'trace' }, { destination, secrets: [OPENAI_KEY, ARI_PASSWORD, SMTP_PASSWORD] });
    // A whole config object, deep.
    logger.info({ config }, 'loaded');
    // An error carrying request headers (as HTTP/WS client errors do), and a key inside its message.
    const err = Object.assign(new Error(`handshake failed with key ${OPENAI_KEY}`), {
      headers: { Authorization: `Bearer ${OPENAI_KEY}`, 'x-request-id': 'req_1' },
      config: { auth: { password: ARI_PASSWORD } },
    });
    logger.error({ err }, 'provider error');
    logger.warn(err);
    // In the message string and in child bindings.
    logger.child({ smtp_password: SMTP_PASSWORD }).info(`ari login ${ARI_PASSWORD} / Basic ${Buffer.from(`asterisk:${ARI_PASSWORD}`).toString('base64')}`);
    logger.debug({ url: `http://asterisk:${ARI_PASSWORD}@pbx:8088/ari`, authorization: 'Bearer abcdef123456' }, 'connecting');

    const output = lines.join('');
    expect(lines).toHaveLength(5);
    for (const secret of [OPENAI_KEY, ARI_PASSWORD, SMTP_PASSWORD, 'abcdef123456', Buffer.from(`asterisk:${ARI_PASSWORD}`).toString('base64')]) {
      expect(output).not.toContain(secret);
    }
    // Still useful: non-secret fields survive.
    expect(output).toContain('req_1');
    expect(output).toContain('gpt-realtime');
    expect(output).toContain('handshake failed');
    expect(JSON.parse(lines[1]!)).toMatchObject({ err: { type: 'Error', headers: { 'x-request-id': 'req_1' } } });
  });

  it('scrubs credential-named fields even without being told the values', () => {
    const { lines, destination } = collector();
    createLogger({}, { destination }).info({ a: { b: { c: { d: { api_key: 'zzz-unknown-key' } } } }, headers: { cookie: 'session=abc' } }, 'x');
    expect(lines[0]).not.toContain('zzz-unknown-key');
    expect(lines[0]).not.toContain('session=abc');
  });

  it('keeps caller PII in structured fields by default and removes them with redact_pii', () => {
    const pii = { caller_number: '+15551234567', caller_name: 'Ann Example', transcript: 'my card is 4111', text: 'hello there', args: { email: 'ann@example.com' }, to: 'ann@example.com' };
    const plain = collector();
    createLogger({ redact_pii: false }, { destination: plain.destination }).info({ ...pii, tool: { arguments: '{"reason":"x"}' } }, 'turn');
    expect(plain.lines[0]).toContain('+15551234567');

    const redacted = collector();
    const logger = createLogger({ redact_pii: true }, { destination: redacted.destination });
    logger.info({ ...pii, tool: { arguments: '{"reason":"x"}', name: 'transfer' }, duration_ms: 5 }, 'turn');
    callLogger(logger, '1700.42').info({ caller_number: '+15551234567' }, 'call started');
    const output = redacted.lines.join('');
    for (const value of ['+15551234567', 'Ann Example', '4111', 'hello there', 'ann@example.com', 'reason']) expect(output).not.toContain(value);
    const entry = JSON.parse(redacted.lines[0]!) as Record<string, unknown>;
    expect(entry).not.toHaveProperty('caller_number');
    expect(entry).toMatchObject({ tool: { name: 'transfer' }, duration_ms: 5, msg: 'turn' });
    expect(JSON.parse(redacted.lines[1]!)).toMatchObject({ call_id: '1700.42', msg: 'call started' });
  });

  it('respects the level', () => {
    const { lines, destination } = collector();
    const logger = createLogger({ level: 'warn' }, { destination });
    logger.info('hidden');
    logger.warn('shown');
    expect(lines).toHaveLength(1);
  });

  it('writes human-readable lines when pretty', () => {
    const { lines, destination } = collector();
    const logger = createLogger({ pretty: true }, { destination, secrets: [ARI_PASSWORD] });
    callLogger(logger, 'c-1').warn({ context: 'sales', password: ARI_PASSWORD }, 'slow provider');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN  \[call c-1\] slow provider {2}context=sales password=\[secret\]\n$/);
    logger.error(new Error('boom'));
    expect(lines[1]).toMatch(/ERROR .*boom\n {4}Error: boom/);
  });
});
