import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

  /** CPU time the child has used so far (Linux /proc; NaN elsewhere), to show what the simulators cost. */
  cpuMs(): number {
    try {
      // Fields after the command name: state is 3rd, utime 14th, stime 15th (clock ticks, 100 per second on Linux).
      const stat = readFileSync(`/proc/${this.proc.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      return Number.NaN;
    }
  }

  stop(): void {
    if (this.proc.connected) this.proc.send({ cmd: 'stop' });
    setTimeout(() => this.proc.kill(), 1_000).unref();
  }
}
