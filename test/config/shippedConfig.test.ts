import { cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/ConfigError.js';
import { loadConfig } from '../../src/config/loadConfig.js';
import { resolveCallSetup } from '../../src/config/resolveCallSetup.js';
import { makeProject } from './projectFixture.js';

const repo = path.resolve(import.meta.dirname, '../..');
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A copy of the shipped config/ and contexts/ (so a developer's own .env or local override cannot interfere). */
async function shippedProject(): Promise<string> {
  const p = await makeProject({});
  cleanups.push(p.cleanup);
  await cp(path.join(repo, 'config', 'ai-agent.yaml'), path.join(p.dir, 'config', 'ai-agent.yaml'));
  await cp(path.join(repo, 'contexts'), path.join(p.dir, 'contexts'), { recursive: true });
  return p.dir;
}

describe('the shipped configuration', () => {
  it('is valid with OPENAI_API_KEY and ARI_PASSWORD set, and has the three documented contexts', async () => {
    const dir = await shippedProject();
    const loaded = await loadConfig({ cwd: dir, env: { OPENAI_API_KEY: 'sk-test-abcdefghijklmnop', ARI_PASSWORD: 'pw' } });
    expect(loaded.warnings).toEqual([]);
    expect(Object.keys(loaded.config.contexts).sort()).toEqual(['default', 'demo_hybrid', 'demo_openai']);
    expect(Object.keys(loaded.config.tools.transfer.destinations).sort()).toEqual(['operator', 'sales', 'support']);
    expect(resolveCallSetup(loaded.config, { context: 'demo_hybrid' })).toMatchObject({ providerKind: 'pipeline', providerKey: 'hybrid_openai' });
    expect(resolveCallSetup(loaded.config, { context: 'demo_openai' })).toMatchObject({ providerKind: 'realtime', profileName: 'telephony_ulaw' });
    expect(resolveCallSetup(loaded.config, { provider: 'echo' }).providerKind).toBe('echo');
  });

  it('with an empty environment asks for exactly ARI_PASSWORD and OPENAI_API_KEY (email is off, so no SMTP or token)', async () => {
    const dir = await shippedProject();
    const error = await loadConfig({ cwd: dir, env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const variables = new Set((error as ConfigError).problems.map((p) => p.variable));
    expect([...variables].sort()).toEqual(['ARI_PASSWORD', 'OPENAI_API_KEY']);
  });

  it('runs on echo alone when the default provider is switched and no OpenAI context is used', async () => {
    const dir = await shippedProject();
    await cp(path.join(repo, 'config', 'ai-agent.yaml'), path.join(dir, 'config', 'ai-agent.yaml'));
    const { writeFile, rm } = await import('node:fs/promises');
    await rm(path.join(dir, 'contexts'), { recursive: true });
    await writeFile(path.join(dir, 'config', 'ai-agent.local.yaml'), 'default_provider: echo\n');
    const loaded = await loadConfig({ cwd: dir, env: { ARI_PASSWORD: 'pw' } });
    expect(loaded.config.default_provider).toBe('echo');
  });

  it('.env.example lists every variable the shipped config and contexts use', async () => {
    const texts = [await readFile(path.join(repo, 'config', 'ai-agent.yaml'), 'utf8')];
    for (const name of ['demo_openai.yaml', 'demo_hybrid.yaml']) texts.push(await readFile(path.join(repo, 'contexts', name), 'utf8'));
    const used = new Set<string>();
    for (const text of texts) {
      for (const line of text.split('\n')) {
        if (line.trimStart().startsWith('#')) continue;
        for (const m of line.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) used.add(m[1]!);
      }
    }
    const example = await readFile(path.join(repo, '.env.example'), 'utf8');
    const listed = new Set([...example.matchAll(/^#?\s*([A-Z_][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    expect(used.size).toBeGreaterThan(5);
    for (const name of used) expect(listed, `${name} missing from .env.example`).toContain(name);
  });
});
