import { readdirSync, readFileSync } from 'node:fs';
import { verify } from '@node-rs/argon2';
import { afterEach, describe, expect, it } from 'vitest';
import { SigilError } from '../errors.ts';
import { createHashPool, type HashPool } from './hash-pool.ts';

const OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
const SCHED_OTHER = 0;
const SCHED_IDLE = 5;
const pools: HashPool[] = [];
function pool(options: Parameters<typeof createHashPool>[0] = {}): HashPool {
  const created = createHashPool(options);
  pools.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

interface ThreadPriority {
  nice: number;
  /** Scheduling policy: 0 SCHED_OTHER, 5 SCHED_IDLE. */
  policy: number;
}

/** Niceness and policy of each thread of this process (fields 19 and 41 of /proc/self/task/<tid>/stat). */
function threadPriorities(): Map<number, ThreadPriority> {
  const result = new Map<number, ThreadPriority>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      result.set(Number(tid), { nice: Number(fields[16]), policy: Number(fields[38]) });
    } catch {
      // The thread ended meanwhile.
    }
  }
  return result;
}

describe('password hashing thread pool', () => {
  it('hashes with argon2 in worker threads; the hash verifies with the library directly', async () => {
    const hashes = pool({ threads: 2 });
    const stored = (await hashes.run({ op: 'hash', password: 'pool password 1', options: OPTIONS })) as string;
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verify(stored, 'pool password 1')).toBe(true);
    expect(await hashes.run({ op: 'verify', hash: stored, password: 'pool password 1' })).toBe(true);
    expect(await hashes.run({ op: 'verify', hash: stored, password: 'pool password 2' })).toBe(false);
    expect(await hashes.run({ op: 'verify', hash: 'not-a-hash', password: 'x' })).toBe(false);
  });

  it('runs more tasks than threads: every one completes, in the order given', async () => {
    const hashes = pool({ threads: 1 });
    const passwords = Array.from({ length: 6 }, (_, i) => `queued password ${i}`);
    const stored = await Promise.all(passwords.map((password) => hashes.run({ op: 'hash', password, options: OPTIONS })));
    const checks = await Promise.all(stored.map((hash, i) => hashes.run({ op: 'verify', hash: hash as string, password: passwords[i]! })));
    expect(checks).toEqual(passwords.map(() => true));
  });

  it('refuses work beyond the queue bound with 503 unavailable and Retry-After, and recovers', async () => {
    const hashes = pool({ threads: 1, maxQueued: 2 });
    const task = { op: 'hash', password: 'overload password', options: OPTIONS } as const;
    const accepted = [hashes.run(task), hashes.run(task), hashes.run(task)]; // 1 running + 2 waiting
    const refused = await hashes.run(task).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SigilError);
    expect((refused as SigilError).status).toBe(503);
    expect((refused as SigilError).code).toBe('unavailable');
    expect((refused as SigilError).headers['Retry-After']).toBe('1');
    await Promise.all(accepted);
    await expect(hashes.run(task)).resolves.toMatch(/^\$argon2id\$/);
  });

  it.runIf(process.platform === 'linux')('runs the hashing threads at a lower niceness than the event loop', async () => {
    const before = threadPriorities();
    const hashes = pool({ threads: 1, nice: 7, schedIdle: false });
    await hashes.run({ op: 'hash', password: 'priority password', options: OPTIONS });
    const added = [...threadPriorities()].filter(([tid]) => !before.has(tid));
    expect(added.some(([, thread]) => thread.nice === 7 && thread.policy === SCHED_OTHER)).toBe(true);
    // The event loop's own thread keeps its priority.
    expect(threadPriorities().get(process.pid)).toEqual(before.get(process.pid));
  });

  it.runIf(process.platform === 'linux')('runs the hashing threads under SCHED_IDLE by default (chrt is installed here)', async () => {
    const before = threadPriorities();
    const hashes = pool({ threads: 1 });
    await hashes.run({ op: 'hash', password: 'idle priority password', options: OPTIONS });
    const added = [...threadPriorities()].filter(([tid]) => !before.has(tid));
    expect(added.filter(([, thread]) => thread.policy === SCHED_IDLE)).toHaveLength(1);
    expect(threadPriorities().get(process.pid)).toEqual(before.get(process.pid));
  });

  it('close() rejects queued work and later calls', async () => {
    const hashes = pool({ threads: 1 });
    const task = { op: 'hash', password: 'closing password', options: OPTIONS } as const;
    const running = hashes.run(task).catch((error: unknown) => error);
    const queued = hashes.run(task).catch((error: unknown) => error);
    await hashes.close();
    expect(String(await queued)).toMatch(/closed/);
    expect(await running).toBeInstanceOf(Error);
    await expect(hashes.run(task)).rejects.toThrow(/closed/);
  });
});
