/** Tools a context may list in `tools:`; each has a section under `tools.<name>`. */
export const TOOL_NAMES = ['transfer', 'cancel_transfer', 'hangup_call', 'leave_voicemail', 'send_email_summary', 'request_transcript'] as const;

export type ToolName = (typeof TOOL_NAMES)[number];

/** Names used by the Python Asterisk-AI-Voice-Agent and common prompts, accepted in `tools:` lists. */
export const TOOL_ALIASES: Readonly<Record<string, ToolName>> = {
  transfer_call: 'transfer',
  end_call: 'hangup_call',
  hangup: 'hangup_call',
  voicemail: 'leave_voicemail',
};

/** The tool a name (or alias) refers to, or undefined for an unknown name. */
export function canonicalToolName(name: string): ToolName | undefined {
  if ((TOOL_NAMES as readonly string[]).includes(name)) return name as ToolName;
  return TOOL_ALIASES[name];
}
