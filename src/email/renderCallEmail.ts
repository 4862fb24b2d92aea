import type { CallRecord } from '../records/CallRecord.js';

/**
 * The two emails a call can produce, rendered as plain text and simple HTML. Pure: the record and the LLM summary
 * in, subject and bodies out. Everything from the call (caller name, transcript, tool arguments) is untrusted:
 * stripped of line breaks in headers and HTML-escaped in the body.
 */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface SummaryEmailOptions {
  subjectPrefix: string;
  /** Per-context subject (replaces "Call from …"). */
  subject?: string;
  /** LLM summary; null = unavailable (the email says so); undefined = summaries are off. */
  summary?: string | null;
}

const OUTCOME_TEXT: Record<CallRecord['outcome'], string> = {
  completed: 'completed',
  transferred: 'transferred',
  voicemail: 'voicemail',
  abandoned: 'abandoned',
  failed: 'failed',
};
/** Tool arguments/results are for a quick look, not a dump. */
const MAX_JSON_CHARS = 300;

export function renderSummaryEmail(record: CallRecord, options: SummaryEmailOptions): RenderedEmail {
  const who = callerLabel(record);
  const outcome = OUTCOME_TEXT[record.outcome] + (record.incomplete ? ' (record incomplete)' : '');
  const subjectCore = options.subject ? `${options.subject}: ${who}, ${outcome}` : `Call from ${who} (${record.context}): ${outcome}`;
  const subject = headerSafe(`${options.subjectPrefix} ${subjectCore}`.trim());

  const facts: [string, string][] = [
    ['Caller', who],
    ['Context', record.context || '-'],
    ['Time', formatTime(record.startedAtMs)],
    ['Duration', formatDuration(record.durationMs)],
    ['Outcome', outcome],
    ['Call id', record.callId],
  ];
  const summaryText = options.summary === undefined ? undefined : (options.summary ?? 'Summary unavailable (the summary service did not answer); see the transcript below.');
  const tools = record.toolCalls.map((t) => `${t.name} ${clip(json(t.args))} → ${t.ok ? 'ok' : 'error'}${t.error ? `: ${t.error}` : ''}`);

  const text = [
    ...facts.map(([k, v]) => `${k}: ${v}`),
    ...(summaryText !== undefined ? ['', 'Summary', summaryText] : []),
    ...(tools.length ? ['', 'Actions', ...tools.map((t) => `- ${t}`)] : []),
    '',
    'Transcript',
    ...transcriptLines(record),
    '',
  ].join('\n');

  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    '<table>',
    ...facts.map(([k, v]) => `<tr><th align="left">${esc(k)}</th><td>${esc(v)}</td></tr>`),
    '</table>',
    ...(summaryText !== undefined ? ['<h3>Summary</h3>', `<p>${esc(summaryText)}</p>`] : []),
    ...(tools.length ? ['<h3>Actions</h3>', '<ul>', ...tools.map((t) => `<li>${esc(t)}</li>`), '</ul>'] : []),
    '<h3>Transcript</h3>',
    transcriptHtml(record),
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}

/** What the caller gets: their own conversation, no internal details (tool calls, destinations, ids). */
export function renderTranscriptEmail(record: CallRecord, options: { subjectPrefix: string; companyName?: string }): RenderedEmail {
  const from = options.companyName ? ` with ${options.companyName}` : '';
  const subject = headerSafe(`${options.subjectPrefix} Transcript of your call${from} on ${formatTime(record.startedAtMs)}`.trim());
  const intro = `Here is the transcript of your call${from} on ${formatTime(record.startedAtMs)} (${formatDuration(record.durationMs)}).`;
  const text = [intro, '', ...transcriptLines(record), ''].join('\n');
  const html = ['<!doctype html><html><body style="font-family:sans-serif">', `<p>${esc(intro)}</p>`, transcriptHtml(record), '</body></html>'].join('\n');
  return { subject, text, html };
}

export function callerLabel(record: CallRecord): string {
  const { name, number } = record.caller;
  const n = oneLine(name);
  const num = oneLine(number);
  if (n && num && n !== num) return `${n} <${num}>`;
  return n || num || 'unknown caller';
}

export function transcriptLines(record: CallRecord): string[] {
  if (record.transcript.length === 0) return ['(no conversation)'];
  return record.transcript.map((t) => `[${offset(t.atMs - record.startedAtMs)}] ${t.role === 'user' ? 'Caller' : 'Agent'}: ${t.text}${t.truncated ? ' …' : ''}`);
}

function transcriptHtml(record: CallRecord): string {
  if (record.transcript.length === 0) return '<p>(no conversation)</p>';
  const rows = record.transcript.map(
    (t) => `<tr><td style="color:#888">${offset(t.atMs - record.startedAtMs)}</td><th align="left">${t.role === 'user' ? 'Caller' : 'Agent'}</th><td>${esc(t.text)}${t.truncated ? ' …' : ''}</td></tr>`,
  );
  return ['<table>', ...rows, '</table>'].join('\n');
}

export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

function offset(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

function json(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return String(v);
  }
}

function clip(s: string): string {
  return s.length > MAX_JSON_CHARS ? `${s.slice(0, MAX_JSON_CHARS)}…` : s;
}

function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** No CR/LF (header injection) and a sane length; nodemailer encodes the rest. */
function headerSafe(s: string): string {
  return oneLine(s).slice(0, 200);
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
