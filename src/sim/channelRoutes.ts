/**
 * `/ari/channels/...` of the simulated Asterisk 22: status codes and messages as res/ari/resource_channels.c
 * returns them, and the event sequences of the traces.
 */
import { isMediaFormat } from './rtpCodec.js';
import type { RequestParams, RouteContext, RouteResult } from './routeTypes.js';
import { error, findControl, isResult, noContent, ok, stateInvalid } from './routeTypes.js';
import type { SimChannel } from './simModel.js';

const HANGUP_REASONS: Record<string, number> = { normal: 16, busy: 17, congestion: 34, no_answer: 19, answered_elsewhere: 26 };

/** Dialplan functions a test may read with getChannelVar, resolved from the channel's state. */
function readFunction(ch: SimChannel, expr: string): string | null {
  switch (expr) {
    case 'CALLERID(num)':
      return ch.caller.number;
    case 'CALLERID(name)':
      return ch.caller.name;
    case 'CHANNEL(name)':
      return ch.name;
    case 'CHANNEL(uniqueid)':
      return ch.id;
    case 'CHANNEL(language)':
      return 'en';
    case 'CHANNEL(audioreadformat)':
    case 'CHANNEL(audiowriteformat)':
      return ch.format ?? 'ulaw';
    case 'CHANNEL(audionativeformat)':
      return `(${ch.format ?? 'ulaw'})`;
    default:
      return null;
  }
}

export async function routeChannels(ctx: RouteContext, method: string, seg: string[], req: RequestParams): Promise<RouteResult | null> {
  const { core, appChannels } = ctx;
  const q = req.params;
  const [first, action, extra] = seg;

  if (first === undefined) {
    if (method === 'GET') return ok([...core.channels.values()].map((c) => c.toJson()));
    if (method === 'POST') return originate(ctx, req, q.channelId);
    return error(405, 'Invalid method');
  }

  if (first === 'externalMedia' && action === undefined) {
    if (method !== 'POST') return error(405, 'Invalid method');
    if (!q.app) return error(400, 'app cannot be empty');
    if (!q.external_host) return error(400, 'external_host cannot be empty');
    if (!/^[^:]+:\d+$/.test(q.external_host)) return error(400, 'external_host must be <host>:<port>');
    if (!q.format) return error(400, 'format cannot be empty');
    const encapsulation = (q.encapsulation || 'rtp').toLowerCase();
    const transport = (q.transport || 'udp').toLowerCase();
    if (encapsulation !== 'rtp' || transport !== 'udp') return error(501, 'The encapsulation and/or transport is not supported');
    if (!isMediaFormat(q.format)) return error(400, `Provided format (${q.format}) was not found`);
    if (q.channelId && core.channels.has(q.channelId)) return error(409, 'Channel with given unique ID already exists');
    const em = await appChannels.createExternalMedia({ channelId: q.channelId, app: q.app, externalHost: q.external_host, format: q.format, data: q.data, variables: req.variables });
    if (em.eventFirst) {
      return { status: 200, body: em.reply, before: async () => { em.announce(); await new Promise((r) => setTimeout(r, em.eventLagMs)); } };
    }
    return ok(em.reply, () => core.later(em.eventLagMs, em.announce));
  }

  if (first === 'create') return error(501, 'channels/create is not simulated');

  const id = first;
  if (action === undefined) {
    if (method === 'GET') {
      const ch = core.channels.get(id);
      return ch ? ok(ch.toJson()) : error(404, 'Channel not found');
    }
    if (method === 'POST') return originate(ctx, req, id);
    if (method === 'DELETE') {
      const ch = core.channels.get(id);
      if (!ch) return error(404, 'Channel not found');
      let cause = 16;
      if (q.reason_code) cause = Number(q.reason_code);
      else if (q.reason) {
        const c = HANGUP_REASONS[q.reason];
        if (c === undefined) return error(400, 'Invalid reason for hangup provided');
        cause = c;
      }
      return noContent(() => core.appHangup(ch, cause));
    }
    return error(405, 'Invalid method');
  }

  if (action === 'variable' && method === 'GET') {
    if (!q.variable) return error(400, 'Variable name is required');
    const ch = core.channels.get(id);
    if (!ch) return error(404, 'Provided channel was not found');
    if (q.variable.endsWith(')')) {
      const v = readFunction(ch, q.variable);
      return v === null ? error(500, 'Unable to read provided function') : ok({ value: v });
    }
    const v = ch.variables.get(q.variable);
    return v === undefined ? error(404, 'Provided variable was not found') : ok({ value: v });
  }

  if (action === 'rtp_statistics' && method === 'GET') {
    const ch = core.channels.get(id);
    if (!ch) return error(404, 'Channel not found');
    return ch.technology === 'PJSIP' ? ok({ txcount: 0, rxcount: 0 }) : error(404, 'RTP info not found');
  }

  const known = ['continue', 'redirect', 'answer', 'ring', 'moh', 'play', 'variable', 'hold', 'mute', 'silence', 'dtmf', 'move', 'dial'];
  if (!known.includes(action)) return null;

  const found = findControl(ctx, id);
  if (isResult(found)) return found;
  const ch = found;
  if (action === 'variable') {
    if (method !== 'POST') return error(405, 'Invalid method');
    if (!q.variable) return error(400, 'Variable name is required');
    return noContent(() => core.setVar(ch, q.variable ?? '', q.value ?? ''));
  }
  const invalid = stateInvalid(ch);
  if (invalid && action !== 'move' && action !== 'dial') return invalid;

  switch (`${method} ${action}`) {
    case 'POST continue': {
      const context = q.context || ch.dialplan.context;
      const extension = q.context ? q.extension || 's' : q.extension || ch.dialplan.exten;
      const priority = q.priority ? Number(q.priority) : !q.context && !q.extension ? ch.dialplan.priority + 1 : 1;
      return noContent(() => {
        if (ch.call) ch.call.continuedTo = { context, extension, priority };
        core.leaveStasis(ch);
        ch.dialplan = { context, exten: extension, priority, app_name: '', app_data: '' };
      });
    }
    case 'POST redirect': {
      if (!q.endpoint) return error(400, "Required parameter 'endpoint' not provided.");
      const slash = q.endpoint.indexOf('/');
      if (slash <= 0) return error(422, `Endpoint parameter '${q.endpoint}' does not contain tech/resource`);
      if (slash === q.endpoint.length - 1) return error(422, `No resource provided in endpoint parameter '${q.endpoint}'`);
      const tech = q.endpoint.slice(0, slash);
      if (tech.toLowerCase() !== ch.technology.toLowerCase()) {
        return error(422, `Endpoint technology '${tech}' does not match channel technology '${ch.technology}'`);
      }
      // Local: "Unsupported transfer requested" NOTICE and nothing else; PJSIP: a REFER, channel stays in Stasis.
      ch.call?.redirects.push({ endpoint: q.endpoint, result: ch.technology === 'PJSIP' ? 'refer-sent' : 'ignored' });
      return noContent();
    }
    case 'POST answer':
      return noContent(() => {
        if (ch.call) ch.call.answered = true;
        core.setState(ch, 'Up');
      });
    case 'POST ring':
      ch.ringing = true;
      return noContent();
    case 'DELETE ring':
      ch.ringing = false;
      return noContent();
    case 'POST moh':
      ch.moh = q.mohClass || 'default';
      return noContent();
    case 'DELETE moh':
      ch.moh = null;
      return noContent();
    case 'POST play': {
      const media = (q.media ?? '').split(',').filter(Boolean);
      if (media.length === 0) return error(400, 'Missing parameter media');
      if (q.skipms && Number(q.skipms) < 0) return error(400, 'skipms cannot be negative');
      if (q.offsetms && Number(q.offsetms) < 0) return error(400, 'offsetms cannot be negative');
      const pb = appChannels.play(ch, media, extra ?? q.playbackId, q.lang);
      return { status: 201, body: pb.json, headers: { Location: `/playbacks/${pb.json.id}` }, after: pb.start };
    }
    case 'POST hold':
    case 'DELETE hold':
    case 'POST mute':
    case 'DELETE mute':
    case 'POST silence':
    case 'DELETE silence':
    case 'POST dtmf':
      return noContent();
    default:
      return error(action === 'move' || action === 'dial' ? 501 : 405, action === 'move' || action === 'dial' ? `${action} is not simulated` : 'Invalid method');
  }
}

function originate(ctx: RouteContext, req: RequestParams, channelId: string | undefined): RouteResult {
  const q = req.params;
  if (!q.endpoint) return error(400, 'Endpoint must be specified');
  const slash = q.endpoint.indexOf('/');
  if (slash <= 0 || slash === q.endpoint.length - 1) return error(400, 'Invalid endpoint specified');
  if (!q.app && !q.extension) return error(400, 'Application or extension must be specified');
  if (channelId && ctx.core.channels.has(channelId)) return error(409, 'Channel with given unique ID already exists');
  const timeoutSec = q.timeout ? Number(q.timeout) : 30;
  const { channel, start } = ctx.appChannels.originate({
    endpoint: q.endpoint,
    app: q.app,
    appArgs: q.appArgs,
    callerId: q.callerId,
    timeoutSec: timeoutSec > 0 ? timeoutSec : 30,
    channelId,
    otherChannelId: q.otherChannelId,
    variables: req.variables,
  });
  return ok(channel.toJson(), start);
}
