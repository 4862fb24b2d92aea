/**
 * Dispatch of `/ari/...` REST paths (after auth) to the simulated resources: api-docs, asterisk, applications,
 * bridges, playbacks, and channels (channelRoutes.ts). Unknown paths get Asterisk's 404 "Resource not found".
 */
import { randomUUID } from 'node:crypto';
import { ariTimestamp, ASTERISK_ID, asteriskInfo } from './ariShapes.js';
import { routeChannels } from './channelRoutes.js';
import type { RequestParams, RouteContext, RouteResult } from './routeTypes.js';
import { error, noContent, ok } from './routeTypes.js';
import { SimBridge } from './simModel.js';
import type { SimChannel } from './simModel.js';
import { resourceDoc, resourcesDoc } from './swaggerDocs.js';

const NOT_FOUND = error(404, 'Resource not found');
const EMPTY_LISTS = new Set(['endpoints', 'sounds', 'deviceStates', 'mailboxes']);

export async function routeAri(ctx: RouteContext, method: string, seg: string[], req: RequestParams, host: string): Promise<RouteResult> {
  const [resource, ...rest] = seg;
  let result: RouteResult | null = null;
  switch (resource) {
    case 'api-docs':
      result = apiDocs(method, rest, host);
      break;
    case 'asterisk':
      result = asterisk(ctx, method, rest);
      break;
    case 'applications':
      result = applications(ctx, method, rest);
      break;
    case 'channels':
      result = await routeChannels(ctx, method, rest, req);
      break;
    case 'bridges':
      result = bridges(ctx, method, rest, req);
      break;
    case 'playbacks':
      result = playbacks(ctx, method, rest);
      break;
    default:
      if (resource && EMPTY_LISTS.has(resource) && rest.length === 0) result = method === 'GET' ? ok([]) : error(405, 'Invalid method');
  }
  return result ?? NOT_FOUND;
}

function apiDocs(method: string, rest: string[], host: string): RouteResult | null {
  if (method !== 'GET') return error(405, 'Unsupported method');
  const file = rest.join('/');
  if (file === 'resources.json') return ok(resourcesDoc(host));
  const m = /^([A-Za-z]+)\.json$/.exec(file);
  const doc = m?.[1] ? resourceDoc(m[1], host) : null;
  return doc ? ok(doc) : null;
}

function asterisk(ctx: RouteContext, method: string, rest: string[]): RouteResult | null {
  if (rest[0] === 'info' && rest.length === 1) return method === 'GET' ? ok(asteriskInfo(ctx.startedAt)) : error(405, 'Invalid method');
  if (rest[0] === 'ping' && rest.length === 1) return ok({ asterisk_id: ASTERISK_ID, ping: 'pong', timestamp: ariTimestamp() });
  return null;
}

function applicationJson(ctx: RouteContext, name: string): Record<string, unknown> {
  const channelIds = [...ctx.core.channels.values()].filter((c) => c.subscribedApps.has(name)).map((c) => c.id);
  const bridgeIds = [...ctx.core.bridges.values()].filter((b) => b.apps.has(name)).map((b) => b.id);
  return { name, channel_ids: channelIds, bridge_ids: bridgeIds, endpoint_ids: [], device_names: [], events_allowed: [], events_disallowed: [] };
}

function applications(ctx: RouteContext, method: string, rest: string[]): RouteResult | null {
  if (method !== 'GET') return rest.length <= 1 ? error(405, 'Invalid method') : null;
  if (rest.length === 0) return ok([...ctx.core.hub.knownApps].map((n) => applicationJson(ctx, n)));
  const name = rest[0] ?? '';
  if (rest.length !== 1) return null;
  return ctx.core.hub.knownApps.has(name) ? ok(applicationJson(ctx, name)) : error(404, 'Application not found');
}

function createBridge(ctx: RouteContext, id: string, q: Record<string, string>): RouteResult {
  if (ctx.core.bridges.has(id)) return error(409, `Bridge with id '${id}' already exists`);
  const types = (q.type || 'mixing').split(',');
  const br = new SimBridge(id, q.name ?? '', types.includes('holding') ? 'holding' : 'mixing');
  if (br.bridgeType === 'holding') br.technology = 'holding_bridge';
  ctx.core.bridges.set(id, br);
  return ok(br.toJson());
}

/** Asterisk's control_list_create(): 400 for a missing/unknown channel, 422 for one not (yet) in Stasis. */
function channelList(ctx: RouteContext, raw: string | undefined): SimChannel[] | RouteResult {
  const ids = (raw ?? '').split(',').filter(Boolean);
  if (ids.length === 0) return error(400, 'Missing parameter channel');
  const out: SimChannel[] = [];
  for (const id of ids) {
    const ch = ctx.core.channels.get(id);
    if (!ch) return error(400, 'Channel not found');
    if (!ch.inStasis) return error(422, 'Channel not in Stasis application');
    out.push(ch);
  }
  return out;
}

function bridges(ctx: RouteContext, method: string, rest: string[], req: RequestParams): RouteResult | null {
  const { core } = ctx;
  const q = req.params;
  const [id, action] = rest;
  if (id === undefined) {
    if (method === 'GET') return ok([...core.bridges.values()].map((b) => b.toJson()));
    if (method === 'POST') return createBridge(ctx, q.bridgeId || randomUUID(), q);
    return error(405, 'Invalid method');
  }
  const br = core.bridges.get(id);
  if (action === undefined) {
    if (method === 'POST') return createBridge(ctx, id, q);
    if (!br) return method === 'GET' || method === 'DELETE' ? error(404, 'Bridge not found') : error(405, 'Invalid method');
    if (method === 'GET') return ok(br.toJson());
    if (method === 'DELETE') return noContent(() => core.destroyBridge(br));
    return error(405, 'Invalid method');
  }
  if (!['addChannel', 'removeChannel', 'moh', 'play'].includes(action) || rest.length > 2) return null;
  if (!br) return error(404, 'Bridge not found');
  if (action === 'moh') return method === 'POST' || method === 'DELETE' ? noContent() : error(405, 'Invalid method');
  if (action === 'play') return error(501, 'bridges/play is not simulated');
  if (method !== 'POST') return error(405, 'Invalid method');
  const list = channelList(ctx, q.channel);
  if (!Array.isArray(list)) return list;
  if (action === 'addChannel') return noContent(() => list.forEach((ch) => core.addToBridge(br, ch)));
  if (list.some((ch) => ch.bridgeId !== br.id)) return error(422, 'Channel not in this bridge');
  return noContent(() => list.forEach((ch) => core.removeFromBridge(br, ch)));
}

function playbacks(ctx: RouteContext, method: string, rest: string[]): RouteResult | null {
  const [id, action] = rest;
  if (id === undefined || action !== undefined) return null;
  const pb = ctx.appChannels.playbacks.get(id);
  if (!pb) return method === 'GET' || method === 'DELETE' ? error(404, 'Playback not found') : error(405, 'Invalid method');
  if (method === 'GET') return ok({ ...pb.json });
  if (method === 'DELETE') return noContent(() => pb.stop());
  return error(405, 'Invalid method');
}
