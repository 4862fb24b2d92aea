import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError, type ConfigProblem } from './ConfigError.js';
import { deepMerge, isPlainObject } from './deepMerge.js';
import { expandEnv, type Env } from './expandEnv.js';
import { collectSecrets } from './maskSecrets.js';
import { isPathInUse } from './requiredEnv.js';
import { configSchema, DEFAULT_PROFILES, type AppConfig } from './schema.js';
import { formatPath, type ConfigPath } from './schemaWalk.js';
import { checkSemantics } from './semanticChecks.js';
import { canonicalToolName } from './toolNames.js';
import { parseYamlSource, type SourceLocation } from './yamlSource.js';
import { zodProblems, type PathProblem } from './zodProblems.js';

/** Always available (AI_PROVIDER=echo tests the audio path with no AI); user entries merge over them. */
export const BUILTIN_PROVIDERS = { echo: { type: 'echo' } } as const;

export interface LoadConfigOptions {
  /** `--config FILE`; else `AI_AGENT_CONFIG`; else `config/ai-agent.yaml` under `cwd`. */
  configPath?: string | undefined;
  /** Environment for `${VAR}` expansion; default `process.env` (never modified: `.env` values go to `dotenv`). */
  env?: NodeJS.ProcessEnv | Env | undefined;
  cwd?: string | undefined;
}

export interface LoadedConfig {
  config: AppConfig;
  /** Absolute path of the main file. */
  configPath: string;
  /** Folder holding `contexts/` and `.env`: the parent of `config/` when the main file lives there. */
  projectDir: string;
  /** Configuration files read, lowest precedence first (contexts/*.yaml, main, local override). */
  files: string[];
  /** `.env` files read. */
  envFiles: string[];
  /** Variables taken from `.env` (only those the environment did not already set). */
  dotenv: Record<string, string>;
  /** The environment expansion saw: the given env plus `dotenv`. */
  env: Env;
  /** Things that work but are probably not what was meant. */
  warnings: ConfigProblem[];
  /** Every secret value in the config (API keys, passwords, tokens): the logger scrubs them from every line. */
  secrets: string[];
}

/** `config/ai-agent.yaml` → `config/ai-agent.local.yaml`. */
export function localOverridePath(configPath: string): string {
  const ext = path.extname(configPath);
  return path.join(path.dirname(configPath), `${path.basename(configPath, ext)}.local${ext}`);
}

function projectDirOf(configPath: string): string {
  const dir = path.dirname(configPath);
  return path.basename(dir) === 'config' ? path.dirname(dir) : dir;
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Load, merge, expand and validate the configuration. Precedence, lowest first: schema defaults (built-in profiles
 * under user profiles), `contexts/*.yaml`, the main file, `<main>.local.yaml`. Throws `ConfigError` listing every
 * problem found; never returns a config the agent cannot honour.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const givenEnv: Env = (options.env ?? process.env) as Env;
  const configPath = path.resolve(cwd, options.configPath ?? givenEnv.AI_AGENT_CONFIG ?? path.join('config', 'ai-agent.yaml'));
  const projectDir = projectDirOf(configPath);
  const display = (file: string): string => {
    const rel = path.relative(cwd, file);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
  };

  // .env: next to the project, then the working directory; never overrides what is already set.
  const dotenv: Record<string, string> = {};
  const envFiles: string[] = [];
  for (const file of [...new Set([path.join(projectDir, '.env'), path.join(cwd, '.env')])]) {
    const text = await readIfExists(file);
    if (text === undefined) continue;
    envFiles.push(file);
    for (const [key, value] of Object.entries(parseEnv(text))) {
      if (value !== undefined && givenEnv[key] === undefined && !(key in dotenv)) dotenv[key] = value;
    }
  }
  const env: Env = { ...givenEnv, ...dotenv };

  const problems: ConfigProblem[] = [];
  const files: string[] = [];
  const locations = new Map<string, SourceLocation>();
  const layers: unknown[] = [];

  // contexts/*.yaml: one context per file, lowest precedence.
  const contextsDir = path.join(projectDir, 'contexts');
  const contextLayer: Record<string, unknown> = {};
  const contextFileOf = new Map<string, string>();
  if (existsSync(contextsDir)) {
    const names = (await readdir(contextsDir)).filter((f) => /\.ya?ml$/.test(f)).sort();
    for (const fileName of names) {
      const file = path.join(contextsDir, fileName);
      const source = parseYamlSource(await readFile(file, 'utf8'), display(file), []);
      files.push(file);
      problems.push(...source.problems);
      if (!isPlainObject(source.data)) continue;
      const declared = source.data.name;
      const name = typeof declared === 'string' && declared !== '' ? declared : fileName.replace(/\.ya?ml$/, '');
      const previous = contextFileOf.get(name);
      if (previous !== undefined) {
        problems.push({ file: display(file), path: 'name', message: `context '${name}' is also defined by ${previous}`, hint: 'give each context file its own name' });
        continue;
      }
      contextFileOf.set(name, display(file));
      contextLayer[name] = { ...source.data, name };
      for (const [key, location] of source.locations) locations.set(formatPath(['contexts', name]) + (key.startsWith('[') ? key : `.${key}`), location);
      locations.set(formatPath(['contexts', name]), { file: display(file), line: 1 });
    }
    layers.push({ contexts: contextLayer });
  }

  const mainText = await readIfExists(configPath);
  if (mainText === undefined) {
    throw new ConfigError([
      {
        file: display(configPath),
        path: '',
        message: 'configuration file not found',
        hint: 'pass --config FILE or set AI_AGENT_CONFIG, or run from the folder that holds config/ai-agent.yaml',
      },
    ]);
  }
  for (const [file, text] of [
    [configPath, mainText],
    [localOverridePath(configPath), await readIfExists(localOverridePath(configPath))],
  ] as const) {
    if (text === undefined) continue;
    const source = parseYamlSource(text, display(file));
    files.push(file);
    problems.push(...source.problems);
    for (const [key, location] of source.locations) locations.set(key, location);
    layers.push(source.data);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  let merged: unknown = {};
  for (const layer of layers) merged = deepMerge(merged, layer);
  const root = merged as Record<string, unknown>;
  root.profiles = deepMerge(DEFAULT_PROFILES, root.profiles ?? {});
  root.providers = deepMerge(BUILTIN_PROVIDERS, root.providers ?? {});
  if (isPlainObject(root.contexts)) {
    for (const [name, context] of Object.entries(root.contexts)) if (isPlainObject(context)) root.contexts[name] = { ...context, name };
  }

  const mainFile = display(configPath);
  const locate = (p: ConfigPath): SourceLocation => {
    for (let n = p.length; n > 0; n--) {
      const found = locations.get(formatPath(p.slice(0, n)));
      if (found) return found;
    }
    return { file: mainFile };
  };
  const toProblem = (p: PathProblem): ConfigProblem => {
    const where = locate(p.path);
    return { file: where.file, ...(where.line !== undefined ? { line: where.line } : {}), path: formatPath(p.path), message: p.message, ...(p.hint ? { hint: p.hint } : {}) };
  };

  const expanded = expandEnv(merged, env, configSchema);
  for (const m of expanded.malformed) problems.push(toProblem({ path: m.path, message: m.message, hint: 'write ${NAME} or ${NAME:-default}; $${ for a literal ${' }));
  for (const u of expanded.unset) {
    const use = isPathInUse(expanded.data, u.path, configSchema);
    if (!use.used) continue;
    problems.push({
      variable: u.name,
      ...toProblem({
        path: u.path,
        message: `\${${u.name}} is not set`,
        hint: `set ${u.name} in the environment or in .env, or write \${${u.name}:-default}; needed because ${use.reason}`,
      }),
    });
  }
  const unsetAt = new Map(expanded.unset.map((u) => [formatPath(u.path), u.name]));

  const parsed = configSchema.safeParse(expanded.data);
  if (!parsed.success) {
    for (const p of zodProblems(parsed.error, configSchema, expanded.data)) {
      const unsetName = unsetAt.get(formatPath(p.path));
      problems.push(toProblem(unsetName ? { ...p, hint: [p.hint, `\${${unsetName}} is not set`].filter(Boolean).join('; ') } : p));
    }
    throw new ConfigError(sortProblems(problems));
  }

  const config = parsed.data;
  const semantic = checkSemantics(config);
  const reported = new Set(problems.map((p) => p.path));
  problems.push(...semantic.errors.map(toProblem).filter((p) => !reported.has(p.path)));
  if (problems.length > 0) throw new ConfigError(sortProblems(problems));

  for (const context of Object.values(config.contexts)) {
    context.tools = [...new Set(context.tools.map((t) => canonicalToolName(t) ?? t))];
  }
  return {
    config,
    configPath,
    projectDir,
    files,
    envFiles,
    dotenv,
    env,
    warnings: semantic.warnings.map(toProblem),
    secrets: collectSecrets(config),
  };
}

/** Group by file (in the order files were first named), then by line; keeps discovery order otherwise. */
function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  const fileOrder = [...new Set(problems.map((p) => p.file))];
  return problems
    .map((p, index) => ({ p, index }))
    .sort((a, b) => fileOrder.indexOf(a.p.file) - fileOrder.indexOf(b.p.file) || (a.p.line ?? Infinity) - (b.p.line ?? Infinity) || a.index - b.index)
    .map(({ p }) => p);
}
