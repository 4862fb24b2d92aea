import type { z } from 'zod';

/**
 * Reads the shape of the zod schema so errors can name the keys that exist at a path ("did you mean") and so
 * `${VAR}` values can take the type the schema expects there. Only what zod 4 exposes in `_zod.def` is used.
 */
type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  valueType?: z.ZodType;
  element?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  defaultValue?: unknown;
};

export type ConfigPath = ReadonlyArray<string | number>;

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Strip default/prefault/optional/nullable/preprocess wrappers. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (def.innerType && ['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch'].includes(def.type)) current = def.innerType;
    else if (def.type === 'pipe' && def.out && defOf(def.in ?? current).type === 'transform') current = def.out;
    else return current;
  }
}

/** The union option selected by the data's discriminator, or by the record key it sits under (`providers.echo`). */
function discriminatedOption(def: Def, value: unknown, keyHint: string | number | undefined): z.ZodType | undefined {
  const key = def.discriminator;
  const options = def.options ?? [];
  if (key === undefined) return undefined;
  const given = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  const wanted = given ?? keyHint;
  return options.find((option) => {
    const shape = defOf(unwrap(option)).shape;
    const field = shape?.[key];
    if (!field) return false;
    const values = (defOf(unwrap(field)) as Def & { values?: unknown[] }).values;
    return values?.includes(wanted) ?? false;
  });
}

/**
 * The schema that validates the value at `path`, given the (raw) data so a discriminated union can pick its option.
 * Undefined when the path leaves the schema.
 */
export function schemaAt(root: z.ZodType, path: ConfigPath, data?: unknown): z.ZodType | undefined {
  let schema: z.ZodType | undefined = root;
  let value: unknown = data;
  let previous: string | number | undefined;
  for (const segment of path) {
    if (!schema) return undefined;
    schema = unwrap(schema);
    let def = defOf(schema);
    if (def.type === 'union') {
      const option = discriminatedOption(def, value, previous);
      if (!option) return undefined;
      schema = unwrap(option);
      def = defOf(schema);
    }
    if (def.type === 'object') schema = def.shape?.[String(segment)];
    else if (def.type === 'record') schema = def.valueType;
    else if (def.type === 'array') schema = def.element;
    else return undefined;
    value = value !== null && typeof value === 'object' ? (value as Record<string | number, unknown>)[segment] : undefined;
    previous = segment;
  }
  return schema;
}

/** Keys an object schema accepts at `path` (for a discriminated union: the option the data selects, else all). */
export function knownKeysAt(root: z.ZodType, path: ConfigPath, data?: unknown): string[] {
  const schema = schemaAt(root, path, data);
  if (!schema) return [];
  const inner = unwrap(schema);
  const def = defOf(inner);
  if (def.type === 'object') return Object.keys(def.shape ?? {});
  if (def.type === 'union') {
    let value: unknown = data;
    for (const segment of path) value = value !== null && typeof value === 'object' ? (value as Record<string | number, unknown>)[segment] : undefined;
    const option = discriminatedOption(def, value, path[path.length - 1]);
    const options = option ? [option] : (def.options ?? []);
    return [...new Set(options.flatMap((o) => Object.keys(defOf(unwrap(o)).shape ?? {})))];
  }
  return [];
}

/** The primitive kind the schema expects at `path` ('string', 'number', 'boolean', 'enum', 'object', …). */
export function kindAt(root: z.ZodType, path: ConfigPath, data?: unknown): string | undefined {
  const schema = schemaAt(root, path, data);
  return schema ? defOf(unwrap(schema)).type : undefined;
}

/** The schema default of the value at `path`, if it has one. */
export function defaultAt(root: z.ZodType, path: ConfigPath): unknown {
  let schema = schemaAt(root, path);
  while (schema) {
    const def = defOf(schema);
    if (def.type === 'default' || def.type === 'prefault') return def.defaultValue;
    if (def.innerType && ['optional', 'nullable'].includes(def.type)) schema = def.innerType;
    else return undefined;
  }
  return undefined;
}

/** `providers.openai_realtime.voice`, `contexts.sales.tools[2]`. */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}
