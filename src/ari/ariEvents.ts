import { z } from 'zod';

/**
 * The ARI events the agent acts on, validated at the edge. Shapes follow what Asterisk 22 sends (see
 * test/sim for the recorded payloads). Anything else, or anything malformed, becomes `{ type: 'Unknown' }` and is
 * counted by the caller; parsing never throws.
 */

const callerId = z.object({ name: z.string().default(''), number: z.string().default('') }).loose();

export const channelSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().default(''),
    state: z.string().default(''),
    caller: callerId.default({ name: '', number: '' }),
    connected: callerId.default({ name: '', number: '' }),
    dialplan: z
      .object({ context: z.string().default(''), exten: z.string().default(''), priority: z.number().default(0) })
      .loose()
      .optional(),
    creationtime: z.string().optional(),
    language: z.string().optional(),
  })
  .loose();

export const bridgeSchema = z
  .object({
    id: z.string().min(1),
    technology: z.string().default(''),
    bridge_type: z.string().default(''),
    channels: z.array(z.string()).default([]),
  })
  .loose();

const base = { timestamp: z.string().optional(), application: z.string().optional(), asterisk_id: z.string().optional() };

const stasisStart = z.object({ type: z.literal('StasisStart'), ...base, args: z.array(z.string()).default([]), channel: channelSchema }).loose();
const stasisEnd = z.object({ type: z.literal('StasisEnd'), ...base, channel: channelSchema }).loose();
const hangupRequest = z
  .object({ type: z.literal('ChannelHangupRequest'), ...base, cause: z.number().optional(), soft: z.boolean().optional(), channel: channelSchema })
  .loose();
const destroyed = z
  .object({ type: z.literal('ChannelDestroyed'), ...base, cause: z.number().default(0), cause_txt: z.string().default(''), channel: channelSchema })
  .loose();
const stateChange = z.object({ type: z.literal('ChannelStateChange'), ...base, channel: channelSchema }).loose();
const enteredBridge = z.object({ type: z.literal('ChannelEnteredBridge'), ...base, bridge: bridgeSchema, channel: channelSchema }).loose();
const leftBridge = z.object({ type: z.literal('ChannelLeftBridge'), ...base, bridge: bridgeSchema, channel: channelSchema }).loose();
const bridgeDestroyed = z.object({ type: z.literal('BridgeDestroyed'), ...base, bridge: bridgeSchema }).loose();
const dtmf = z
  .object({ type: z.literal('ChannelDtmfReceived'), ...base, digit: z.string(), duration_ms: z.number().default(0), channel: channelSchema })
  .loose();
const dial = z
  .object({ type: z.literal('Dial'), ...base, dialstatus: z.string().default(''), peer: channelSchema, caller: channelSchema.optional() })
  .loose();
const playback = z
  .object({
    type: z.enum(['PlaybackStarted', 'PlaybackFinished']),
    ...base,
    playback: z.object({ id: z.string(), target_uri: z.string().default(''), state: z.string().default('') }).loose(),
  })
  .loose();

export const ariEventSchema = z.discriminatedUnion('type', [
  stasisStart,
  stasisEnd,
  hangupRequest,
  destroyed,
  stateChange,
  enteredBridge,
  leftBridge,
  bridgeDestroyed,
  dtmf,
  dial,
  playback,
]);

export type AriChannel = z.infer<typeof channelSchema>;
export type AriBridge = z.infer<typeof bridgeSchema>;
export type AriEvent = z.infer<typeof ariEventSchema>;
export type AriEventOf<T extends AriEvent['type']> = Extract<AriEvent, { type: T }>;

/** Event types we receive but have no use for: not counted as malformed. */
const IGNORED_TYPES = new Set([
  'ChannelVarset',
  'ChannelConnectedLine',
  'ChannelCallerId',
  'ChannelDialplan',
  'ChannelUserevent',
  'ChannelTalkingStarted',
  'ChannelTalkingFinished',
  'ChannelHold',
  'ChannelUnhold',
  'ChannelToneDetected',
  'BridgeCreated',
  'BridgeMerged',
  'BridgeVideoSourceChanged',
  'BridgeBlindTransfer',
  'BridgeAttendedTransfer',
  'DeviceStateChanged',
  'EndpointStateChange',
  'ContactStatusChange',
  'PeerStatusChange',
  'TextMessageReceived',
  'ApplicationReplaced',
  'ApplicationMoveFailed',
  'ChannelCreated',
  'RecordingStarted',
  'RecordingFinished',
  'RecordingFailed',
  'PlaybackContinuing',
  'ChannelTransfer',
  'ApplicationRegistered',
  'ApplicationUnregistered',
]);

export type ParsedAriEvent =
  | { ok: true; event: AriEvent }
  | { ok: false; reason: 'malformed_json' | 'invalid' | 'ignored'; type: string };

/** Parse one websocket text frame. Pure; never throws. */
export function parseAriEvent(text: string): ParsedAriEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'malformed_json', type: 'unknown' };
  }
  const type = raw !== null && typeof raw === 'object' && typeof (raw as { type?: unknown }).type === 'string' ? (raw as { type: string }).type : 'unknown';
  if (IGNORED_TYPES.has(type)) return { ok: false, reason: 'ignored', type };
  const parsed = ariEventSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: 'invalid', type };
  return { ok: true, event: parsed.data };
}
