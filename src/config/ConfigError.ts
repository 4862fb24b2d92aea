/** One thing wrong with the configuration, located as precisely as we can. */
export interface ConfigProblem {
  /** File the offending value came from (the main config file when it came from a default). */
  file: string;
  /** 1-based line in `file`, when known. */
  line?: number;
  /** 1-based column (YAML syntax errors). */
  column?: number;
  /** Dotted key path: `providers.openai_realtime.voice`; '' for the whole file. */
  path: string;
  message: string;
  hint?: string;
  /** For an unset `${VAR}`: the variable's name. */
  variable?: string;
}

/** Every problem found while loading, reported at once so the user fixes them in one go. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    const first = problems[0];
    const summary = first ? formatProblem(first) : 'invalid configuration';
    super(problems.length > 1 ? `${problems.length} configuration problems; first: ${summary}` : summary);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** `config/ai-agent.yaml:12:5: providers.openai_realtime.voice: message (hint)` */
export function formatProblem(problem: ConfigProblem): string {
  let where = problem.file;
  if (problem.line !== undefined) where += `:${problem.line}`;
  if (problem.line !== undefined && problem.column !== undefined) where += `:${problem.column}`;
  const path = problem.path ? ` ${problem.path}:` : '';
  const hint = problem.hint ? ` (${problem.hint})` : '';
  return `${where}:${path} ${problem.message}${hint}`;
}
