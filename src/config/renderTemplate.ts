/**
 * Greeting and prompt templates: `{name}` is replaced by `vars[name]` when that is defined; any other `{…}` (an
 * unknown placeholder, JSON in a prompt) stays exactly as written.
 */
export function renderTemplate(text: string, vars: Record<string, string | undefined>): string {
  return text.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
    const value = Object.hasOwn(vars, name) ? vars[name] : undefined;
    return value ?? whole;
  });
}

export interface TemplateVarsInput {
  callId: string;
  callerName?: string | undefined;
  callerNumber?: string | undefined;
  contextName: string;
  companyName?: string | undefined;
  now?: Date;
  /** IANA zone for the date/time variables; default: the process's zone (TZ). */
  timeZone?: string | undefined;
  /** Extra variables (outbound calls pass theirs); they fill built-in ones only where those are empty. */
  extra?: Record<string, string | undefined> | undefined;
}

/**
 * The variables every greeting/prompt may use. Unknown caller name/number become '' (not the literal placeholder,
 * which would be read out loud). `current_date` is ISO (2025-11-21), `today` is spelled out for the model
 * ("Friday, November 21, 2025"), `current_time` is 24-hour HH:MM, all in `timeZone`.
 */
export function templateVars(input: TemplateVarsInput): Record<string, string> {
  const now = input.now ?? new Date();
  const zone = input.timeZone ? { timeZone: input.timeZone } : {};
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { ...zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(now)
      .map((part) => [part.type, part.value]),
  ) as Record<string, string>;
  const today = new Intl.DateTimeFormat('en-US', { ...zone, weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }).format(now);
  const vars: Record<string, string> = {
    caller_name: input.callerName ?? '',
    caller_number: input.callerNumber ?? '',
    company_name: input.companyName ?? '',
    call_id: input.callId,
    context_name: input.contextName,
    current_date: `${parts.year}-${parts.month}-${parts.day}`,
    current_time: `${parts.hour}:${parts.minute}`,
    today,
  };
  for (const [key, value] of Object.entries(input.extra ?? {})) {
    if (value !== undefined && (!Object.hasOwn(vars, key) || vars[key] === '')) vars[key] = value;
  }
  return vars;
}
