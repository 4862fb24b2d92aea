import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A throw-away project folder: `{ 'config/ai-agent.yaml': '…', 'contexts/x.yaml': '…', '.env': '…' }`. */
export async function makeProject(files: Record<string, string>): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ai-agent-cfg-'));
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The smallest valid main file: a password and a default context, echo as provider (no API key needed). */
export const MINIMAL = `
asterisk:
  password: secret-ari-password
default_provider: echo
contexts:
  default: {}
`;
