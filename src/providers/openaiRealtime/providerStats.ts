/** Counters of one Realtime provider (one call). */
export interface RealtimeProviderStats {
  /** Server frames that were malformed or of an unknown type (counted, dropped). */
  droppedEvents: number;
  /** Audio deltas of interrupted responses that arrived late and were dropped. */
  discardedDeltas: number;
  audioChunksSent: number;
  /** Caller audio that arrived while no session was usable (connecting, reconnecting). */
  audioChunksDropped: number;
  truncates: number;
  deletes: number;
  cancels: number;
  toolCalls: number;
  reconnects: number;
  renewals: number;
  /** Server `error` events, except the harmless `response_cancel_not_active`. */
  serverErrors: number;
}

export function emptyStats(): RealtimeProviderStats {
  return {
    droppedEvents: 0,
    discardedDeltas: 0,
    audioChunksSent: 0,
    audioChunksDropped: 0,
    truncates: 0,
    deletes: 0,
    cancels: 0,
    toolCalls: 0,
    reconnects: 0,
    renewals: 0,
    serverErrors: 0,
  };
}
