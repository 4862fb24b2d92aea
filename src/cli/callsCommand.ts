import path from 'node:path';
import { callerLabel, formatDuration, formatTime, transcriptLines } from '../email/renderCallEmail.js';
import type { CallRecord } from '../records/CallRecord.js';
import { findCallRecordFile, listCallRecords, readCallRecord } from '../records/readCallRecord.js';
import { configOption, stringOption, type CliCommand, type CliContext } from './CliCommand.js';
import { loadConfigForCli } from './loadConfigForCli.js';

const DEFAULT_LIMIT = 20;

export const callsCommand: CliCommand = {
  name: 'calls',
  summary: 'list recent calls, or print one (calls show ID)',
  usage: 'ai-agent calls [--config FILE | --dir DIR] [--limit N]\n       ai-agent calls show ID [--config FILE | --dir DIR]',
  description:
    'Reads the call records under call_records.dir (one JSON Lines file per call). Without arguments, lists the\n' +
    'most recent calls: time (UTC), caller, context, outcome, duration, id. "show ID" prints one call: header,\n' +
    'transcript with offsets, tool calls, transfers and errors. A call still running, or lost in a crash, shows as\n' +
    '"incomplete".',
  options: {
    ...configOption,
    dir: { type: 'string', valueName: 'DIR', description: 'call records directory (default: call_records.dir from the configuration)' },
    limit: { type: 'string', short: 'n', valueName: 'N', description: `how many calls to list (default ${DEFAULT_LIMIT})` },
  },
  allowPositionals: true,
  async run(ctx) {
    const [sub, id, ...extra] = ctx.positionals;
    if ((sub !== undefined && sub !== 'show') || (sub === 'show' && id === undefined) || extra.length > 0) {
      ctx.io.stderr(`usage: ${callsCommand.usage}\n`);
      return 2;
    }
    const dir = await recordsDir(ctx);
    if (dir === undefined) return 1;
    if (sub === 'show') return showCall(ctx, dir, id as string);

    const limitText = stringOption(ctx, 'limit');
    const limit = limitText === undefined ? DEFAULT_LIMIT : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1) {
      ctx.io.stderr(`ai-agent calls: --limit must be a positive whole number\n`);
      return 2;
    }
    const records = await listCallRecords(dir, { limit });
    if (records.length === 0) {
      ctx.io.stdout(`no call records in ${dir}\n`);
      return 0;
    }
    ctx.io.stdout(formatCallList(records));
    return 0;
  },
};

async function recordsDir(ctx: CliContext): Promise<string | undefined> {
  const explicit = stringOption(ctx, 'dir');
  if (explicit !== undefined) return path.resolve(ctx.io.cwd, explicit);
  const loaded = await loadConfigForCli(ctx);
  return loaded ? path.resolve(ctx.io.cwd, loaded.config.call_records.dir) : undefined;
}

async function showCall(ctx: CliContext, dir: string, id: string): Promise<number> {
  const file = await findCallRecordFile(dir, id);
  if (!file) {
    ctx.io.stderr(`ai-agent calls: no call ${JSON.stringify(id)} in ${dir}\n`);
    return 1;
  }
  ctx.io.stdout(formatCallDetail(await readCallRecord(file)));
  return 0;
}

/** The list as an aligned table. Pure. */
export function formatCallList(records: readonly CallRecord[]): string {
  const rows = [
    ['TIME (UTC)', 'CALLER', 'CONTEXT', 'OUTCOME', 'DURATION', 'ID'],
    ...records.map((r) => [
      formatTime(r.startedAtMs).replace(' UTC', ''),
      callerLabel(r),
      r.context || '-',
      r.outcome + (r.incomplete ? '*' : ''),
      formatDuration(r.durationMs),
      r.callId,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const lines = rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
  const note = records.some((r) => r.incomplete) ? ['* incomplete: no end recorded (still running, or the process stopped)'] : [];
  return [...lines, ...note, ''].join('\n');
}

/** One call: header, transcript, tool calls, transfers, errors. Pure. */
export function formatCallDetail(r: CallRecord): string {
  const header: [string, string][] = [
    ['Call', r.callId],
    ['Caller', callerLabel(r)],
    ['Context', r.context || '-'],
    ['Provider', `${r.provider || '-'} (profile ${r.profile || '-'})`],
    ['Started', formatTime(r.startedAtMs)],
    ['Answered', r.answeredAtMs === undefined ? '-' : formatTime(r.answeredAtMs)],
    ['Ended', r.endedAtMs === undefined ? '-' : formatTime(r.endedAtMs)],
    ['Duration', formatDuration(r.durationMs)],
    ['Outcome', `${r.outcome}${r.reason ? ` (${r.reason})` : ''}${r.incomplete ? ' — incomplete record' : ''}`],
    ...Object.entries(r.ids).map(([k, v]) => [`Id ${k}`, v] as [string, string]),
    ['File', r.file],
  ];
  const width = Math.max(...header.map(([k]) => k.length)) + 1;
  const out = header.map(([k, v]) => `${`${k}:`.padEnd(width)} ${v}`);
  out.push('', 'Transcript', ...transcriptLines(r).map((l) => `  ${l}`));
  if (r.toolCalls.length > 0) {
    out.push('', 'Tool calls');
    for (const t of r.toolCalls) {
      const at = offset(t.atMs - r.startedAtMs);
      out.push(`  [${at}] ${t.name} ${JSON.stringify(t.args)} → ${JSON.stringify(t.result)} (${t.durationMs} ms)`);
    }
  }
  if (r.transfers.length > 0) {
    out.push('', 'Transfers', ...r.transfers.map((t) => `  [${offset(t.atMs - r.startedAtMs)}] ${t.mode} ${t.target}: ${t.result}`));
  }
  if (r.bargeIns.length > 0) out.push('', `Barge-ins: ${r.bargeIns.length}`);
  if (r.errors.length > 0) {
    out.push('', 'Errors', ...r.errors.map((e) => `  [${offset(e.atMs - r.startedAtMs)}] ${e.code}: ${e.message}`));
  }
  if (r.badLines > 0) out.push('', `(${r.badLines} unreadable line${r.badLines === 1 ? '' : 's'} skipped)`);
  return out.join('\n') + '\n';
}

function offset(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
