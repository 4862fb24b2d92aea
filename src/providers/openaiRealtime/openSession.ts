import type { Logger } from 'pino';
import type { ClientEvent } from './clientEvents.js';
import type { ConnectionTarget } from './connectionTarget.js';
import { RealtimeError } from './RealtimeError.js';
import { RealtimeTransport, type SessionCreated, type TransportEvents } from './RealtimeTransport.js';
import type { ServerEvent } from './serverEvents.js';

export interface OpenedSession {
  transport: RealtimeTransport;
  created: SessionCreated;
}

/**
 * Connect, wait for `session.created`, send `session.update`, wait for `session.updated`: the one sequence used
 * by start, reconnect and renewal. The whole sequence is bounded by `timeoutMs`. Listeners are attached before
 * connecting so nothing the server sends is missed; they must ignore transports that are not current.
 */
export async function openSession(opts: {
  target: ConnectionTarget;
  logger: Logger;
  tag: string;
  sessionUpdate: ClientEvent;
  timeoutMs: number;
  onEvent: (transport: RealtimeTransport, ev: ServerEvent, receivedAt: number) => void;
  onDropped: (transport: RealtimeTransport, info: TransportEvents['dropped'][0]) => void;
  onClosed: (transport: RealtimeTransport, info: TransportEvents['closed'][0]) => void;
}): Promise<OpenedSession> {
  const deadline = Date.now() + opts.timeoutMs;
  const transport = new RealtimeTransport({ target: opts.target, logger: opts.logger, tag: opts.tag });
  transport.on('dropped', (info) => opts.onDropped(transport, info));
  transport.on('closed', (info) => opts.onClosed(transport, info));
  transport.on('event', (ev, receivedAt) => opts.onEvent(transport, ev, receivedAt));

  const created = await transport.connect(opts.timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      const remaining = Math.max(1, deadline - Date.now());
      const timer = setTimeout(() => done(new RealtimeError('session_update_timeout', `no session.updated within ${opts.timeoutMs} ms`)), remaining);
      const onEvent = (ev: ServerEvent): void => {
        if (ev.type === 'session.updated') done();
        else if (ev.type === 'error' && ev.error.event_id === updateId) {
          const code = ev.error.code ?? 'session_update_rejected';
          done(new RealtimeError(code, `session.update rejected: ${ev.error.message ?? code}${ev.error.param ? ` (${ev.error.param})` : ''}`));
        }
      };
      const onClosed = (info: TransportEvents['closed'][0]): void => done(new RealtimeError('connect_failed', `socket closed during session setup (${info.code} ${info.reason})`));
      function done(err?: RealtimeError): void {
        clearTimeout(timer);
        transport.off('event', onEvent);
        transport.off('closed', onClosed);
        if (err) reject(err);
        else resolve();
      }
      transport.on('event', onEvent);
      transport.on('closed', onClosed);
      const updateId = transport.send(opts.sessionUpdate);
      if (updateId === undefined) done(new RealtimeError('connect_failed', 'socket closed before session.update'));
    });
  } catch (err) {
    transport.close('session setup failed');
    throw err;
  }
  return { transport, created };
}
