import { describe, expect, it } from 'vitest';
import { didYouMean } from '../../src/config/didYouMean.js';
import { collectSecrets, maskSecrets, maskValue } from '../../src/config/maskSecrets.js';

describe('maskSecrets', () => {
  const config = {
    asterisk: { ari_url: 'http://admin:hunter22@pbx:8088', username: 'asterisk', password: 'short' },
    providers: { openai_realtime: { api_key: 'sk-proj-abcdefghijklmnopqrstuvwxyz1234', model: 'gpt-realtime', max_output_tokens: 4096 } },
    email: { smtp: { password: '' }, summary: { api_key: 'sk-other-0000000000000000wxyz' } },
    http: { api_token: 'tok-123' },
    extra: { client_secret: 'abc', webhookToken: 'def' },
  };

  it('masks every secret-named value and keeps the rest', () => {
    const masked = maskSecrets(config);
    expect(masked.providers.openai_realtime.api_key).toBe('sk-…1234');
    expect(masked.email.summary.api_key).toBe('sk-…wxyz');
    expect(masked.asterisk.password).toBe('***');
    expect(masked.email.smtp.password).toBe('');
    expect(masked.http.api_token).toBe('***');
    expect(masked.extra).toEqual({ client_secret: '***', webhookToken: '***' });
    expect(masked.asterisk.ari_url).toBe('http://admin:***@pbx:8088');
    expect(masked.providers.openai_realtime.model).toBe('gpt-realtime');
    expect(masked.providers.openai_realtime.max_output_tokens).toBe(4096);
    expect(config.providers.openai_realtime.api_key).toBe('sk-proj-abcdefghijklmnopqrstuvwxyz1234');
  });

  it('never shows more than 7 characters of a key', () => {
    expect(maskValue('0123456789abcdefghij')).toBe('012…ghij');
    expect(maskValue('0123456789abcde')).toBe('***');
    expect(maskValue('a-long-enough-password', 'password')).toBe('***');
  });

  it('collects the secret values for the logger', () => {
    expect(collectSecrets(config).sort()).toEqual(['abc', 'def', 'short', 'sk-other-0000000000000000wxyz', 'sk-proj-abcdefghijklmnopqrstuvwxyz1234', 'tok-123'].filter((s) => s.length >= 4).sort());
  });
});

describe('didYouMean', () => {
  it('finds typos, swapped letters, dashes and affixes but not unrelated words', () => {
    const keys = ['ari_url', 'username', 'password', 'app_name', 'request_timeout_ms'];
    expect(didYouMean('ari_ur', keys)).toBe('ari_url');
    expect(didYouMean('ari-url', keys)).toBe('ari_url');
    expect(didYouMean('passwrod', keys)).toBe('password');
    expect(didYouMean('timeout_ms', keys)).toBe('request_timeout_ms');
    expect(didYouMean('colour', keys)).toBeUndefined();
  });
});
