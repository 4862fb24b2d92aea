/**
 * Trimmed Swagger 1.1 api-docs, shaped like Asterisk 22's /ari/api-docs/*.json. npm `ari-client` 2.2.0 (via
 * swagger-client 2.0.26) builds its whole API from these at connect time: `resources.json` lists the resource
 * files, each file lists operations (nickname, httpMethod, parameters, responseClass) and models. Event models in
 * events.json matter most: ari-client looks up the model of every incoming event by `type` and crashes on an
 * unknown one, and promotes properties typed Channel/Bridge/Playback… to objects with methods.
 */
import { ARI_API_VERSION } from './ariShapes.js';

interface Param {
  name: string;
  description: string;
  paramType: 'query' | 'path' | 'body';
  required: boolean;
  allowMultiple: boolean;
  dataType: string;
}

interface Operation {
  httpMethod: 'GET' | 'POST' | 'PUT' | 'DELETE';
  summary: string;
  nickname: string;
  responseClass: string;
  parameters: Param[];
  upgrade?: string;
  websocketProtocol?: string;
}

const q = (name: string, dataType = 'string', required = false, allowMultiple = false): Param => ({
  name,
  description: name,
  paramType: 'query',
  required,
  allowMultiple,
  dataType,
});
const p = (name: string): Param => ({ name, description: name, paramType: 'path', required: true, allowMultiple: false, dataType: 'string' });
const body = (name = 'variables'): Param => ({ name, description: name, paramType: 'body', required: false, allowMultiple: false, dataType: 'containers' });
const op = (httpMethod: Operation['httpMethod'], nickname: string, responseClass: string, parameters: Param[] = []): Operation => ({
  httpMethod,
  summary: nickname,
  nickname,
  responseClass,
  parameters,
});
const api = (path: string, ...operations: Operation[]) => ({ path, description: path, operations });

const CH = p('channelId');
const BR = p('bridgeId');

const originateParams = [
  q('endpoint', 'string', true), q('extension'), q('context'), q('priority', 'long'), q('label'), q('app'), q('appArgs'),
  q('callerId'), q('timeout', 'int'), body(), q('otherChannelId'), q('originator'), q('formats'),
];

const RESOURCES: Record<string, { description: string; apis: ReturnType<typeof api>[] }> = {
  asterisk: {
    description: 'Asterisk resources',
    apis: [
      api('/asterisk/info', op('GET', 'getInfo', 'AsteriskInfo', [q('only', 'string', false, true)])),
      api('/asterisk/ping', op('GET', 'ping', 'AsteriskPing')),
      api('/asterisk/variable', op('GET', 'getGlobalVar', 'Variable', [q('variable', 'string', true)]),
        op('POST', 'setGlobalVar', 'void', [q('variable', 'string', true), q('value')])),
    ],
  },
  endpoints: {
    description: 'Endpoint resources',
    apis: [
      api('/endpoints', op('GET', 'list', 'List[Endpoint]')),
      api('/endpoints/{tech}', op('GET', 'listByTech', 'List[Endpoint]', [p('tech')])),
      api('/endpoints/{tech}/{resource}', op('GET', 'get', 'Endpoint', [p('tech'), p('resource')])),
    ],
  },
  channels: {
    description: 'Channel resources',
    apis: [
      api('/channels', op('GET', 'list', 'List[Channel]'), op('POST', 'originate', 'Channel', [...originateParams, q('channelId')])),
      api('/channels/create', op('POST', 'create', 'Channel', [q('endpoint', 'string', true), q('app', 'string', true), q('appArgs'),
        q('channelId'), q('otherChannelId'), q('originator'), q('formats'), body()])),
      api('/channels/externalMedia', op('POST', 'externalMedia', 'Channel', [q('channelId'), q('app', 'string', true), body(),
        q('external_host'), q('encapsulation'), q('transport'), q('connection_type'), q('format', 'string', true), q('direction'),
        q('data'), q('transport_data')])),
      api('/channels/{channelId}', op('GET', 'get', 'Channel', [CH]), op('POST', 'originateWithId', 'Channel', [CH, ...originateParams]),
        op('DELETE', 'hangup', 'void', [CH, q('reason_code'), q('reason')])),
      api('/channels/{channelId}/continue', op('POST', 'continueInDialplan', 'void', [CH, q('context'), q('extension'), q('priority', 'int'), q('label')])),
      api('/channels/{channelId}/move', op('POST', 'move', 'void', [CH, q('app', 'string', true), q('appArgs')])),
      api('/channels/{channelId}/redirect', op('POST', 'redirect', 'void', [CH, q('endpoint', 'string', true)])),
      api('/channels/{channelId}/answer', op('POST', 'answer', 'void', [CH])),
      api('/channels/{channelId}/ring', op('POST', 'ring', 'void', [CH]), op('DELETE', 'ringStop', 'void', [CH])),
      api('/channels/{channelId}/dtmf', op('POST', 'sendDTMF', 'void', [CH, q('dtmf'), q('before', 'int'), q('between', 'int'),
        q('duration', 'int'), q('after', 'int')])),
      api('/channels/{channelId}/mute', op('POST', 'mute', 'void', [CH, q('direction')]), op('DELETE', 'unmute', 'void', [CH, q('direction')])),
      api('/channels/{channelId}/hold', op('POST', 'hold', 'void', [CH]), op('DELETE', 'unhold', 'void', [CH])),
      api('/channels/{channelId}/moh', op('POST', 'startMoh', 'void', [CH, q('mohClass')]), op('DELETE', 'stopMoh', 'void', [CH])),
      api('/channels/{channelId}/silence', op('POST', 'startSilence', 'void', [CH]), op('DELETE', 'stopSilence', 'void', [CH])),
      api('/channels/{channelId}/play', op('POST', 'play', 'Playback', [CH, q('media', 'string', true, true), q('lang'),
        q('offsetms', 'int'), q('skipms', 'int'), q('playbackId')])),
      api('/channels/{channelId}/play/{playbackId}', op('POST', 'playWithId', 'Playback', [CH, p('playbackId'),
        q('media', 'string', true, true), q('lang'), q('offsetms', 'int'), q('skipms', 'int')])),
      api('/channels/{channelId}/variable', op('GET', 'getChannelVar', 'Variable', [CH, q('variable', 'string', true)]),
        op('POST', 'setChannelVar', 'void', [CH, q('variable', 'string', true), q('value')])),
      api('/channels/{channelId}/dial', op('POST', 'dial', 'void', [CH, q('caller'), q('timeout', 'int')])),
      api('/channels/{channelId}/rtp_statistics', op('GET', 'rtpstatistics', 'RTPstat', [CH])),
    ],
  },
  bridges: {
    description: 'Bridge resources',
    apis: [
      api('/bridges', op('GET', 'list', 'List[Bridge]'), op('POST', 'create', 'Bridge', [q('type'), q('bridgeId'), q('name')])),
      api('/bridges/{bridgeId}', op('POST', 'createWithId', 'Bridge', [q('type'), BR, q('name')]), op('GET', 'get', 'Bridge', [BR]),
        op('DELETE', 'destroy', 'void', [BR])),
      api('/bridges/{bridgeId}/addChannel', op('POST', 'addChannel', 'void', [BR, q('channel', 'string', true, true), q('role'),
        q('absorbDTMF', 'boolean'), q('mute', 'boolean'), q('inhibitConnectedLineUpdates', 'boolean')])),
      api('/bridges/{bridgeId}/removeChannel', op('POST', 'removeChannel', 'void', [BR, q('channel', 'string', true, true)])),
      api('/bridges/{bridgeId}/moh', op('POST', 'startMoh', 'void', [BR, q('mohClass')]), op('DELETE', 'stopMoh', 'void', [BR])),
      api('/bridges/{bridgeId}/play', op('POST', 'play', 'Playback', [BR, q('media', 'string', true, true), q('lang'),
        q('offsetms', 'int'), q('skipms', 'int'), q('playbackId')])),
    ],
  },
  recordings: {
    description: 'Recording resources',
    apis: [
      api('/recordings/stored', op('GET', 'listStored', 'List[StoredRecording]')),
      api('/recordings/live/{recordingName}', op('GET', 'getLive', 'LiveRecording', [p('recordingName')]),
        op('DELETE', 'cancel', 'void', [p('recordingName')])),
    ],
  },
  sounds: {
    description: 'Sound resources',
    apis: [api('/sounds', op('GET', 'list', 'List[Sound]', [q('lang'), q('format')])), api('/sounds/{soundId}', op('GET', 'get', 'Sound', [p('soundId')]))],
  },
  playbacks: {
    description: 'Playback control resources',
    apis: [
      api('/playbacks/{playbackId}', op('GET', 'get', 'Playback', [p('playbackId')]), op('DELETE', 'stop', 'void', [p('playbackId')])),
      api('/playbacks/{playbackId}/control', op('POST', 'control', 'void', [p('playbackId'), q('operation', 'string', true)])),
    ],
  },
  deviceStates: {
    description: 'Device state resources',
    apis: [api('/deviceStates', op('GET', 'list', 'List[DeviceState]')), api('/deviceStates/{deviceName}', op('GET', 'get', 'DeviceState', [p('deviceName')]))],
  },
  mailboxes: {
    description: 'Mailboxes resources',
    apis: [api('/mailboxes', op('GET', 'list', 'List[Mailbox]')), api('/mailboxes/{mailboxName}', op('GET', 'get', 'Mailbox', [p('mailboxName')]))],
  },
  events: {
    description: 'WebSocket resource',
    apis: [
      api('/events', { ...op('GET', 'eventWebsocket', 'Message', [q('app', 'string', true, true), q('subscribeAll', 'boolean')]), upgrade: 'websocket', websocketProtocol: 'ari' }),
      api('/events/user/{eventName}', op('POST', 'userEvent', 'void', [p('eventName'), q('application', 'string', true), q('source', 'string', false, true), body()])),
    ],
  },
  applications: {
    description: 'Stasis application resources',
    apis: [
      api('/applications', op('GET', 'list', 'List[Application]')),
      api('/applications/{applicationName}', op('GET', 'get', 'Application', [p('applicationName')])),
      api('/applications/{applicationName}/subscription', op('POST', 'subscribe', 'Application', [p('applicationName'), q('eventSource', 'string', true, true)]),
        op('DELETE', 'unsubscribe', 'Application', [p('applicationName'), q('eventSource', 'string', true, true)])),
    ],
  },
};

/** Order as Asterisk 22 lists them in resources.json. */
export const RESOURCE_NAMES = ['asterisk', 'endpoints', 'channels', 'bridges', 'recordings', 'sounds', 'playbacks', 'deviceStates', 'mailboxes', 'events', 'applications'] as const;

const prop = (type: string) => ({ required: false, type });
const props = (entries: Record<string, string>) => Object.fromEntries(Object.entries(entries).map(([k, t]) => [k, prop(t)]));

const OBJECT_MODELS: Record<string, Record<string, string>> = {
  Channel: { id: 'string', name: 'string', state: 'string', protocol_id: 'string', caller: 'CallerID', connected: 'CallerID', accountcode: 'string', dialplan: 'DialplanCEP', creationtime: 'Date', language: 'string', channelvars: 'object' },
  Bridge: { id: 'string', technology: 'string', bridge_type: 'string', bridge_class: 'string', creator: 'string', name: 'string', channels: 'List[string]', creationtime: 'Date', video_mode: 'string' },
  Playback: { id: 'string', media_uri: 'string', next_media_uri: 'string', target_uri: 'string', language: 'string', state: 'string' },
  CallerID: { name: 'string', number: 'string' },
  DialplanCEP: { context: 'string', exten: 'string', priority: 'long', app_name: 'string', app_data: 'string' },
  Variable: { value: 'string' },
  Application: { name: 'string', channel_ids: 'List[string]', bridge_ids: 'List[string]', endpoint_ids: 'List[string]', device_names: 'List[string]', events_allowed: 'List[object]', events_disallowed: 'List[object]' },
};

const EVENT_BASE = { type: 'string', application: 'string', timestamp: 'Date', asterisk_id: 'string' };

/** Every ARI 10 event type, with the properties that ari-client promotes to resource objects. */
const EVENT_MODELS: Record<string, Record<string, string>> = {
  ApplicationReplaced: {}, ApplicationMoveFailed: { channel: 'Channel', destination: 'string', args: 'List[string]' },
  BridgeCreated: { bridge: 'Bridge' }, BridgeDestroyed: { bridge: 'Bridge' }, BridgeMerged: { bridge: 'Bridge', bridge_from: 'Bridge' },
  BridgeVideoSourceChanged: { bridge: 'Bridge', old_video_source_id: 'string' },
  BridgeBlindTransfer: { channel: 'Channel', replace_channel: 'Channel', transferee: 'Channel', bridge: 'Bridge' },
  BridgeAttendedTransfer: { transferer_first_leg: 'Channel', transferer_second_leg: 'Channel' },
  ChannelCreated: { channel: 'Channel' }, ChannelDestroyed: { cause: 'int', cause_txt: 'string', channel: 'Channel' },
  ChannelEnteredBridge: { bridge: 'Bridge', channel: 'Channel' }, ChannelLeftBridge: { bridge: 'Bridge', channel: 'Channel' },
  ChannelStateChange: { channel: 'Channel' }, ChannelDtmfReceived: { digit: 'string', duration_ms: 'int', channel: 'Channel' },
  ChannelDialplan: { channel: 'Channel', dialplan_app: 'string', dialplan_app_data: 'string' },
  ChannelCallerId: { caller_presentation: 'int', caller_presentation_txt: 'string', channel: 'Channel' },
  ChannelUserevent: { eventname: 'string', channel: 'Channel', bridge: 'Bridge', endpoint: 'Endpoint', userevent: 'object' },
  ChannelHangupRequest: { cause: 'int', soft: 'boolean', channel: 'Channel' },
  ChannelVarset: { variable: 'string', value: 'string', channel: 'Channel' },
  ChannelHold: { channel: 'Channel', musicclass: 'string' }, ChannelUnhold: { channel: 'Channel' },
  ChannelTalkingStarted: { channel: 'Channel' }, ChannelTalkingFinished: { channel: 'Channel', duration: 'int' },
  ChannelConnectedLine: { channel: 'Channel' }, ChannelToneDetected: { channel: 'Channel' },
  ChannelTransfer: { state: 'string', refer_to: 'object', referred_by: 'object' },
  ContactStatusChange: { endpoint: 'Endpoint', contact_info: 'object' }, DeviceStateChanged: { device_state: 'DeviceState' },
  Dial: { caller: 'Channel', peer: 'Channel', forward: 'string', forwarded: 'Channel', dialstring: 'string', dialstatus: 'string' },
  EndpointStateChange: { endpoint: 'Endpoint' }, PeerStatusChange: { endpoint: 'Endpoint', peer: 'object' },
  PlaybackStarted: { playback: 'Playback' }, PlaybackContinuing: { playback: 'Playback' }, PlaybackFinished: { playback: 'Playback' },
  RecordingStarted: { recording: 'LiveRecording' }, RecordingFinished: { recording: 'LiveRecording' }, RecordingFailed: { recording: 'LiveRecording' },
  StasisStart: { args: 'List[string]', channel: 'Channel', replace_channel: 'Channel' }, StasisEnd: { channel: 'Channel' },
  TextMessageReceived: { message: 'object', endpoint: 'Endpoint', channel: 'Channel' },
};

export const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set(Object.keys(EVENT_MODELS));

function modelsFor(name: string): Record<string, unknown> {
  const entries: [string, Record<string, string>][] =
    name === 'events'
      ? [['Message', { type: 'string', asterisk_id: 'string' }], ['Event', EVENT_BASE], ...Object.entries(EVENT_MODELS).map(([k, v]): [string, Record<string, string>] => [k, { ...EVENT_BASE, ...v }])]
      : name === 'channels' ? [['Channel', OBJECT_MODELS.Channel!], ['CallerID', OBJECT_MODELS.CallerID!], ['DialplanCEP', OBJECT_MODELS.DialplanCEP!], ['Variable', OBJECT_MODELS.Variable!], ['Playback', OBJECT_MODELS.Playback!]]
        : name === 'bridges' ? [['Bridge', OBJECT_MODELS.Bridge!]]
          : name === 'playbacks' ? [['Playback', OBJECT_MODELS.Playback!]]
            : name === 'applications' ? [['Application', OBJECT_MODELS.Application!]]
              : [];
  return Object.fromEntries(entries.map(([id, pr]) => [id, name === 'events' && id !== 'Message' ? { id, extends: id === 'Event' ? 'Message' : 'Event', properties: props(pr) } : { id, properties: props(pr) }]));
}

const COPYRIGHT = { _copyright: 'Copyright (C) 2012 - 2013, Digium, Inc.', _author: 'David M. Lee, II <dlee@digium.com>', _svn_revision: '$Revision$' };

/** `GET /ari/api-docs/resources.json`; basePath follows the request's Host header, as Asterisk does. */
export function resourcesDoc(host: string): Record<string, unknown> {
  return {
    ...COPYRIGHT,
    apiVersion: ARI_API_VERSION,
    swaggerVersion: '1.1',
    basePath: `http://${host}/ari`,
    apis: RESOURCE_NAMES.map((n) => ({ path: `/api-docs/${n}.{format}`, description: RESOURCES[n]!.description })),
  };
}

/** `GET /ari/api-docs/<name>.json`, or null for an unknown name (→ 404 Resource not found). */
export function resourceDoc(name: string, host: string): Record<string, unknown> | null {
  const res = Object.hasOwn(RESOURCES, name) ? RESOURCES[name] : undefined;
  if (!res) return null;
  return {
    ...COPYRIGHT,
    apiVersion: ARI_API_VERSION,
    swaggerVersion: '1.1',
    basePath: `http://${host}/ari`,
    resourcePath: `/api-docs/${name}.{format}`,
    requiresModules: ['res_stasis'],
    apis: res.apis,
    models: modelsFor(name),
  };
}
