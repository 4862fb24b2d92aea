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

/** Error codes after which the provider cannot go on: no retry, the session runs its failure policy. */
export const FATAL_SERVER_CODES = new Set([
  'insufficient_quota',
  'invalid_api_key',
  'beta_api_shape_disabled',
  'model_not_found',
  'unknown_parameter',
  'missing_required_parameter',
]);
