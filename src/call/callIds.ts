/**
 * Ids of what the agent creates in Asterisk. We choose them ourselves (ARI lets us), so an event can be matched to
 * its call whatever order the REST reply and the event arrive in, and so that after a crash or restart the
 * reconciliation can tell our leftovers from everything else on the PBX.
 */
export const ID_PREFIX = 'aiav';

export function bridgeIdFor(callId: string): string {
  return `${ID_PREFIX}-br-${callId}`;
}

export function mediaChannelIdFor(callId: string): string {
  return `${ID_PREFIX}-em-${callId}`;
}

export function transferLegIdFor(callId: string, attempt: number): string {
  return `${ID_PREFIX}-xf${attempt}-${callId}`;
}

export function playbackIdFor(callId: string, n: number): string {
  return `${ID_PREFIX}-pb${n}-${callId}`;
}

export function outboundChannelId(uniq: string): string {
  return `${ID_PREFIX}-out-${uniq}`;
}

export type OwnedKind = 'media' | 'transfer' | 'bridge' | 'outbound';

/** Which of our objects an id names, or undefined when it is not ours. */
export function ownedKind(id: string): OwnedKind | undefined {
  if (id.startsWith(`${ID_PREFIX}-em-`)) return 'media';
  if (id.startsWith(`${ID_PREFIX}-br-`)) return 'bridge';
  if (id.startsWith(`${ID_PREFIX}-out-`)) return 'outbound';
  if (/^aiav-xf\d+-/.test(id)) return 'transfer';
  return undefined;
}

/** The caller channel id encoded in one of our ids (media, transfer leg, bridge). */
export function callIdOf(id: string): string | undefined {
  const m = /^aiav-(?:em|br|xf\d+|pb\d+)-(.+)$/.exec(id);
  return m?.[1];
}
