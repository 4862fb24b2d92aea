/**
 * Shared shapes of the simulator's REST layer: what a route returns and what it can reach.
 */
import type { AppChannels, SimOptions } from './AppChannels.js';
import type { SimChannel } from './simModel.js';
import type { StasisCore } from './StasisCore.js';

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Runs right after the response is written (events that Asterisk emits once the request is handled). */
  after?: () => void;
  /** Runs before the response is written (events that beat the reply, e.g. externalMedia 'event-first'). */
  before?: () => Promise<void>;
}

export interface RouteContext {
  core: StasisCore;
  appChannels: AppChannels;
  options: SimOptions;
  startedAt: Date;
}

export interface RequestParams {
  /** Query string merged with form fields and top-level scalar fields of a JSON body (as Asterisk does). */
  params: Record<string, string>;
  /** `variables` of a JSON body (`{"variables": {...}}`). */
  variables: Record<string, string>;
}

export const error = (status: number, message: string): RouteResult => ({ status, body: { message } });
export const noContent = (after?: () => void): RouteResult => (after ? { status: 204, after } : { status: 204 });
export const ok = (body: unknown, after?: () => void): RouteResult => (after ? { status: 200, body, after } : { status: 200, body });

/** Asterisk's find_control(): 404 when the channel does not exist, 409 when it exists outside Stasis. */
export function findControl(ctx: RouteContext, id: string): SimChannel | RouteResult {
  const ch = ctx.core.channels.get(id);
  if (!ch) return error(404, 'Channel not found');
  if (!ch.inStasis) return error(409, 'Channel not in Stasis application');
  return ch;
}

/** Asterisk's channel_state_invalid(): outbound channels not yet answered cannot be manipulated. */
export function stateInvalid(ch: SimChannel): RouteResult | null {
  return ch.state === 'Down' || ch.state === 'Rsrvd' || ch.state === 'Ringing' ? error(412, 'Channel in invalid state') : null;
}

export function isResult(x: unknown): x is RouteResult {
  return typeof x === 'object' && x !== null && 'status' in x && typeof (x as { status: unknown }).status === 'number';
}
