import type { ProviderError } from '../VoiceProvider.js';

/** An Error that carries a stable ProviderError code; `start()` rejects with it. */
export class RealtimeError extends Error implements ProviderError {
  readonly code: string;
  readonly fatal: boolean;

  constructor(code: string, message: string, fatal = true) {
    super(message);
    this.name = 'RealtimeError';
    this.code = code;
    this.fatal = fatal;
  }

  toProviderError(): ProviderError {
    return { code: this.code, message: this.message, fatal: this.fatal };
  }
}

/** Server error codes after which the provider cannot go on mid-call: the session runs its failure policy. */
export const FATAL_SERVER_CODES = new Set(['insufficient_quota', 'invalid_api_key', 'beta_api_shape_disabled', 'model_not_found']);

/**
 * Codes that make a reconnect attempt pointless: the same request would be refused again. Config errors
 * (`unknown_parameter` …) are only fatal here, at session setup; mid-call they are logged and the call goes on.
 */
export function retryIsPointless(code: string): boolean {
  return code === 'handshake_401' || FATAL_SERVER_CODES.has(code) || code === 'unknown_parameter' || code === 'missing_required_parameter' || code === 'invalid_value';
}
