import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmailOutbox, type OutboxMessage } from '../../src/email/EmailOutbox.js';

const message: OutboxMessage = { from: 'a@x.test', to: ['b@x.test'], subject: 'S', text: 'T' };
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'outbox-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const files = () => readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('EmailOutbox', () => {
  it('has the message on disk before the first attempt, and removes it once delivered', async () => {
    let release!: () => void;
    const seenOnDisk: string[][] = [];
    const outbox = new EmailOutbox({
      spoolDir: dir,
      maxAttempts: 3,
      retryInitialMs: 10,
      send: () => {
        seenOnDisk.push(files());
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
    const id = await outbox.enqueue(message);
    expect(files()).toEqual([`${id}.json`]);
    expect(JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8'))).toMatchObject({ id, attempts: 0, status: 'pending', message });
    await new Promise((r) => setImmediate(r));
    expect(seenOnDisk).toEqual([[`${id}.json`]]);
    expect(outbox.stats()).toEqual({ sent: 0, failed: 0, spooled: 1 });
    release();
    expect(await outbox.flush(1_000)).toBe(true);
    expect(files()).toEqual([]);
    expect(outbox.stats()).toEqual({ sent: 1, failed: 0, spooled: 0 });
  });

  it('retries with doubling delays and succeeds when the server recovers', async () => {
    const attemptsAt: number[] = [];
    const outbox = new EmailOutbox({
      spoolDir: dir,
      maxAttempts: 5,
      retryInitialMs: 25,
      send: async () => {
        attemptsAt.push(Date.now());
        if (attemptsAt.length < 4) throw new Error('421 try later');
      },
    });
    await outbox.enqueue(message);
    expect(await outbox.flush(5_000)).toBe(true);
    expect(attemptsAt).toHaveLength(4);
    const gaps = attemptsAt.slice(1).map((t, i) => t - (attemptsAt[i] as number));
    // Lower bounds only (timers never fire early): 25, 50, 100 ms.
    expect(gaps[0]).toBeGreaterThanOrEqual(24);
    expect(gaps[1]).toBeGreaterThanOrEqual(49);
    expect(gaps[2]).toBeGreaterThanOrEqual(99);
    expect(outbox.stats()).toEqual({ sent: 1, failed: 0, spooled: 0 });
  });

  it('close() stops retrying and leaves the message for the next start', async () => {
    let attempts = 0;
    const outbox = new EmailOutbox({
      spoolDir: dir,
      maxAttempts: 5,
      retryInitialMs: 60_000,
      send: async () => {
        attempts++;
        throw new Error('down');
      },
    });
    await outbox.enqueue(message);
    expect(await outbox.flush(100)).toBe(false);
    outbox.close();
    expect(await outbox.flush(1_000)).toBe(true);
    expect(attempts).toBe(1);
    expect(files()).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(dir, files()[0]!), 'utf8'))).toMatchObject({ attempts: 1, status: 'pending', lastError: 'down' });
  });

  it('resendSpool delivers pending and failed messages, and leaves unreadable files alone', async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '1-a.json'), JSON.stringify({ id: '1-a', createdAtMs: 1, attempts: 5, status: 'failed', message }));
    writeFileSync(join(dir, '2-b.json'), JSON.stringify({ id: '2-b', createdAtMs: 2, attempts: 1, status: 'pending', message: { ...message, subject: 'S2' } }));
    writeFileSync(join(dir, '3-c.json'), '{torn');
    writeFileSync(join(dir, '.4-d.tmp'), 'partial');
    const sent: string[] = [];
    const outbox = new EmailOutbox({ spoolDir: dir, maxAttempts: 2, retryInitialMs: 10, send: async (m) => void sent.push(m.subject) });
    expect(await outbox.resendSpool()).toBe(2);
    expect(await outbox.flush(1_000)).toBe(true);
    expect(sent.sort()).toEqual(['S', 'S2']);
    expect(files()).toEqual(['3-c.json']);
  });

  it('resendSpool on a missing spool directory picks up nothing', async () => {
    const outbox = new EmailOutbox({ spoolDir: join(dir, 'none'), maxAttempts: 1, retryInitialMs: 1, send: async () => {} });
    expect(await outbox.resendSpool()).toBe(0);
  });
});
