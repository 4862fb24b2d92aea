import type { z } from 'zod';
import type { CallControl } from './CallControl.js';

/**
 * One tool, one definition. The Realtime (flat) and Chat Completions (nested) schemas are rendered from
 * `parameters`; arguments are validated with it before `execute` runs.
 */
export interface ToolDefinition<P extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  parameters: P;
  /** Bound on execute(); a timeout becomes an error result the model can recover from. */
  timeoutMs: number;
  execute(args: z.infer<P>, call: CallControl): Promise<ToolOutput>;
}

/** What a tool returns to the model (serialised to JSON text). `ok: false` results carry a message the model can act on. */
export type ToolOutput = { ok: true; [key: string]: unknown } | { ok: false; error: string; [key: string]: unknown };
