import type { Logger } from 'pino';

/**
 * Graceful shutdown: stop taking calls (a new call goes back to the dialplan, where the STASISSTATUS fallback
 * handles it), let the calls in progress finish up to the drain timeout, end the rest, flush what must reach the
 * disk (call records, the email spool), then stop the agent. The signal wiring that calls it lives below.
 */
export interface DrainableAgent {
  controller: { startDraining(): void; readonly activeCalls: number; endAll(reason: string): Promise<void> };
  stop(reason: string): Promise<void>;
}

export interface ShutdownOptions {
  drainTimeoutMs: number;
  /** Called in order after the calls are gone: call records, the email spool. Failures are logged, not fatal. */
  flushers?: Array<() => Promise<void>>;
  logger: Logger;
  reason?: string;
  /** Told when draining starts (readiness turns 503, outbound calls are refused). */
  onDraining?: () => void;
}

export interface ShutdownReport {
  /** Calls still up at the drain timeout, ended by us. */
  endedAtTimeout: number;
  flushFailures: number;
}

/** How often the drain looks at the number of calls: invisible against a drain of seconds, cheap. */
const DRAIN_POLL_MS = 100;
/** Ending the remaining calls talks to Asterisk; if it is gone, do not hang the shutdown on it. */
const END_ALL_TIMEOUT_MS = 5_000;
/** One flusher (disk write, SMTP spool) may not hold the exit longer than this. */
const FLUSH_TIMEOUT_MS = 5_000;
/** What shutdown adds beyond the drain timeout at most: docker's stop_grace_period must cover drain + this. */
export const SHUTDOWN_OVERHEAD_MS = END_ALL_TIMEOUT_MS + FLUSH_TIMEOUT_MS;

export async function gracefulShutdown(agent: DrainableAgent, opts: ShutdownOptions): Promise<ShutdownReport> {
  const { logger } = opts;
  const reason = opts.reason ?? 'shutdown';
  agent.controller.startDraining();
  opts.onDraining?.();
  const atStart = agent.controller.activeCalls;
  logger.info({ active_calls: atStart, drain_timeout_ms: opts.drainTimeoutMs }, 'draining: new calls go back to the dialplan');
  const deadline = Date.now() + opts.drainTimeoutMs;
  while (agent.controller.activeCalls > 0 && Date.now() < deadline) {
    await sleep(Math.min(DRAIN_POLL_MS, Math.max(1, deadline - Date.now())));
  }
  const endedAtTimeout = agent.controller.activeCalls;
  if (endedAtTimeout > 0) {
    logger.warn({ active_calls: endedAtTimeout }, 'drain timeout reached; ending the remaining calls');
    await withTimeout(agent.controller.endAll(`${reason}:drain_timeout`), END_ALL_TIMEOUT_MS).catch((err: unknown) => {
      logger.error({ err }, 'ending the remaining calls failed');
    });
  }
  let flushFailures = 0;
  for (const flush of opts.flushers ?? []) {
    try {
      await withTimeout(flush(), FLUSH_TIMEOUT_MS);
    } catch (err) {
      flushFailures++;
      logger.error({ err }, 'flush at shutdown failed');
    }
  }
  await agent.stop(reason);
  logger.info({ ended_at_timeout: endedAtTimeout, flush_failures: flushFailures }, 'shutdown complete');
  return { endedAtTimeout, flushFailures };
}

export interface SignalHandlerOptions {
  /** The graceful path (first SIGTERM/SIGINT). */
  shutdown: (signal: string) => Promise<unknown>;
  /** SIGHUP. */
  reload: () => Promise<unknown>;
  logger: Logger;
  /** Default process.exit. */
  exit?: (code: number) => void;
  /** Default process (tests pass an EventEmitter). */
  proc?: Pick<NodeJS.Process, 'on' | 'off'>;
}

/**
 * SIGTERM/SIGINT → graceful shutdown then exit 0; a second one exits at once (1). SIGHUP → reload.
 * Returns a function that removes the handlers.
 */
export function installSignalHandlers(o: SignalHandlerOptions): () => void {
  const proc = o.proc ?? process;
  const exit = o.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const onStop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      o.logger.warn({ signal }, 'second signal: exiting now without waiting for calls');
      exit(1);
      return;
    }
    stopping = true;
    o.logger.info({ signal }, 'shutdown requested');
    o.shutdown(signal).then(
      () => exit(0),
      (err: unknown) => {
        o.logger.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  const onHup = (): void => {
    if (stopping) return;
    o.logger.info('SIGHUP: reloading configuration');
    o.reload().catch((err: unknown) => o.logger.error({ err }, 'reload failed'));
  };
  proc.on('SIGTERM', onStop);
  proc.on('SIGINT', onStop);
  proc.on('SIGHUP', onHup);
  return () => {
    proc.off('SIGTERM', onStop);
    proc.off('SIGINT', onStop);
    proc.off('SIGHUP', onHup);
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
