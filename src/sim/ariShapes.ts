/**
 * JSON shapes of ARI 10.0.0 (Asterisk 22.10.1) as observed on the wire: channel/bridge snapshots, the event
 * envelope, timestamps, hangup cause texts and the /asterisk/info fixture. Pure, no I/O.
 */

export const ASTERISK_ID = '02:fc:00:00:00:01';
export const ASTERISK_VERSION = '22.10.1';
export const ARI_API_VERSION = '10.0.0';

/** `2026-11-21T04:56:24.935+0000`: Asterisk prints UTC with a numeric zone and milliseconds. */
export function ariTimestamp(date: Date = new Date()): string {
  return date.toISOString().replace('Z', '+0000');
}

export interface CallerIdJson {
  name: string;
  number: string;
}

export interface DialplanJson {
  context: string;
  exten: string;
  priority: number;
  app_name: string;
  app_data: string;
}

export interface ChannelJson {
  id: string;
  name: string;
  state: string;
  protocol_id: string;
  caller: CallerIdJson;
  connected: CallerIdJson;
  accountcode: string;
  dialplan: DialplanJson;
  creationtime: string;
  language: string;
  channelvars?: Record<string, string>;
}

export interface BridgeJson {
  id: string;
  technology: string;
  bridge_type: string;
  bridge_class: string;
  creator: string;
  name: string;
  channels: string[];
  creationtime: string;
  video_mode: string;
}

export interface PlaybackJson {
  id: string;
  media_uri: string;
  next_media_uri?: string;
  target_uri: string;
  language: string;
  state: 'queued' | 'playing' | 'continuing' | 'done' | 'failed';
}

export interface AriEvent {
  type: string;
  timestamp: string;
  asterisk_id: string;
  application: string;
  [key: string]: unknown;
}

/** Q.850 cause texts as Asterisk's ast_cause2str() prints them in ChannelDestroyed. */
export const CAUSE_TEXT: Readonly<Record<number, string>> = {
  0: 'Unknown',
  1: 'Unallocated (unassigned) number',
  16: 'Normal Clearing',
  17: 'User busy',
  18: 'No user responding',
  19: 'User alerting, no answer',
  21: 'Call Rejected',
  27: 'Destination out of order',
  34: 'Circuit/channel congestion',
  38: 'Network out of order',
};

export function causeText(cause: number): string {
  return CAUSE_TEXT[cause] ?? 'Unknown';
}

/**
 * Build an event with Asterisk's key order: variable-first for ChannelVarset, cause-first for
 * ChannelHangupRequest, then type/timestamp, the body, and the envelope (asterisk_id, application) last.
 */
export function makeEvent(type: string, body: Record<string, unknown>, application: string, at: Date = new Date()): AriEvent {
  const head: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  const leading = type === 'ChannelVarset' ? ['variable', 'value'] : type === 'ChannelHangupRequest' ? ['cause', 'soft'] : [];
  for (const [k, v] of Object.entries(body)) {
    if (v === undefined) continue;
    if (leading.includes(k)) head[k] = v;
    else rest[k] = v;
  }
  return { ...head, type, timestamp: ariTimestamp(at), ...rest, asterisk_id: ASTERISK_ID, application } as AriEvent;
}

export function parseCallerId(callerId: string | undefined): CallerIdJson {
  if (!callerId) return { name: '', number: '' };
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$/.exec(callerId);
  if (m) return { name: (m[1] ?? '').trim(), number: (m[2] ?? '').trim() };
  return /^[+\d*#]+$/.test(callerId.trim()) ? { name: '', number: callerId.trim() } : { name: callerId.trim(), number: '' };
}

export function asteriskInfo(startedAt: Date): Record<string, unknown> {
  const t = ariTimestamp(startedAt);
  return {
    build: {
      os: 'Linux',
      kernel: '6.18.44-fc-v657',
      machine: 'x86_64',
      options: 'OPTIONAL_API',
      date: '2026-11-21 04:39:05 UTC',
      user: 'root',
    },
    system: { version: ASTERISK_VERSION, entity_id: ASTERISK_ID },
    config: { name: '', default_language: 'en', setid: { user: '', group: '' } },
    status: { startup_time: t, last_reload_time: t },
  };
}
