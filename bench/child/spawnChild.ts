import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A benchmark helper process (TypeScript through tsx), with request/response over IPC. */
export class ChildHelper {
  private constructor(readonly proc: ChildProcess) {}

  static async start<T>(file: string): Promise<{ child: ChildHelper; hello: T }> {
    const proc = fork(fileURLToPath(new URL(file, import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const hello = await new Promise<T>((resolve, reject) => {
      proc.once('message', (m) => resolve(m as T));
      proc.once('error', reject);
      proc.once('exit', (code) => reject(new Error(`${file} exited (${code}) before it was ready`)));
    });
    return { child: new ChildHelper(proc), hello };
  }

  request<T>(msg: Record<string, unknown>, timeoutMs = 120_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child did not answer ${JSON.stringify(msg).slice(0, 80)} in ${timeoutMs} ms`)), timeoutMs);
      this.proc.once('message', (m) => {
        clearTimeout(timer);
        const err = (m as { error?: string }).error;
        if (err) reject(new Error(err));
        else resolve(m as T);
      });
      this.proc.send(msg);
    });
  }

  stop(): void {
    if (this.proc.connected) this.proc.send({ cmd: 'stop' });
    setTimeout(() => this.proc.kill(), 1_000).unref();
  }
}
