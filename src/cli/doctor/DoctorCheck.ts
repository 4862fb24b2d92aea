import type { LoadedConfig } from '../../config/loadConfig.js';

export type DoctorStatus = 'ok' | 'fail' | 'warn' | 'info';

export interface DoctorResult {
  status: DoctorStatus;
  title: string;
  /** What exactly to change, shown as "fix: …" under a ✗ or !. */
  fix?: string | undefined;
}

export interface DoctorOptions {
  /** Per network probe; generous enough for a busy PBX, short enough not to hang. */
  timeoutMs: number;
}

/** One area `doctor` examines; returns one line per finding. Adding a check = a function + one registry entry. */
export type DoctorCheck = (loaded: LoadedConfig, options: DoctorOptions) => Promise<DoctorResult[]>;

const MARK: Record<DoctorStatus, string> = { ok: '✓', fail: '✗', warn: '!', info: '·' };

export function formatResult(result: DoctorResult): string {
  let out = `${MARK[result.status]} ${result.title}\n`;
  if (result.fix && result.status !== 'ok') out += `    fix: ${result.fix.split('\n').join('\n         ')}\n`;
  return out;
}
