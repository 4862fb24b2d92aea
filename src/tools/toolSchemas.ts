import { z } from 'zod';
import type { ToolDefinition } from './ToolDefinition.js';

/**
 * One tool definition, two wire shapes. The Realtime API wants the flat
 * `{type, name, description, parameters}`; Chat Completions wants `{type, function: {name, description, parameters}}`.
 * Sending one where the other is expected is a classic cause of "tools not working", so both come from here.
 */
export interface JsonSchemaObject {
  type: 'object';
  properties: Record<string, unknown>;
  required?: string[];
  additionalProperties?: boolean;
  [key: string]: unknown;
}

export interface RealtimeToolSchema {
  type: 'function';
  name: string;
  description: string;
  parameters: JsonSchemaObject;
}

export interface ChatToolSchema {
  type: 'function';
  function: { name: string; description: string; parameters: JsonSchemaObject };
}

/** JSON Schema of a tool's parameters (draft 2020-12 minus `$schema`, which neither API wants). */
export function toolParametersJsonSchema(def: ToolDefinition): JsonSchemaObject {
  const schema = z.toJSONSchema(def.parameters, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete schema.$schema;
  if (schema.type !== 'object') {
    throw new Error(`tool ${def.name}: parameters must be a zod object, got JSON type ${String(schema.type)}`);
  }
  const properties = (schema.properties as Record<string, unknown> | undefined) ?? {};
  return { ...schema, type: 'object', properties };
}

export function toRealtimeTool(def: ToolDefinition): RealtimeToolSchema {
  return { type: 'function', name: def.name, description: def.description, parameters: toolParametersJsonSchema(def) };
}

export function toChatTool(def: ToolDefinition): ChatToolSchema {
  return { type: 'function', function: { name: def.name, description: def.description, parameters: toolParametersJsonSchema(def) } };
}
