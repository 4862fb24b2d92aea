import type { AriSimulator } from '../../src/sim/AriSimulator.js';
import type { SimCall } from '../../src/sim/SimCall.js';

/**
 * The fault-test invariant: after a fault, each call either ends by policy (hung up, or sent on into the dialplan)
 * or keeps carrying audio. `speak` makes the caller talk (echo needs it; a model answers it); then the call must
 * receive `packets` new packets or end, within `timeoutMs`.
 */
export async function endsOrHearsAudio(
  sim: AriSimulator,
  call: SimCall,
  opts: { speak?: () => Promise<unknown>; packets?: number; timeoutMs?: number } = {},
): Promise<'ended' | 'audio'> {
  const before = call.received.length;
  const want = opts.packets ?? 10;
  void opts.speak?.();
  const done = (): boolean => call.hungUp || call.continuedTo !== null || call.received.length >= before + want;
  await sim.waitFor(done, opts.timeoutMs ?? 10_000, `call ${call.id} to end or hear audio`);
  return call.received.length >= before + want ? 'audio' : 'ended';
}

/** Nothing of a call may be left once every caller has hung up. */
export async function nothingLeft(sim: AriSimulator, sessions: () => number): Promise<void> {
  await sim.waitFor(() => sessions() === 0, 10_000, 'no sessions');
  await sim.waitFor(() => sim.channels.size === 0 && sim.bridges.size === 0, 10_000, 'no channels or bridges');
  await sim.waitFor(() => sim.rtpPeers === 0, 5_000, 'no RTP peers');
}
