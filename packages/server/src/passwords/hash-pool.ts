import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SigilError } from '../errors.ts';

/**
 * Password hashing (argon2id) and verification (every stored format, stored-hash.ts) run on
 * worker threads of their own, at a lower CPU priority than the event loop.
 *
 * Why not @node-rs/argon2's async API? It hashes on libuv's shared thread pool (4 threads by
 * default) at the event loop's priority: during a login flood on a small machine the event loop
 * gets only a share of a core, and JWKS, /healthz and refresh callers queue behind password hashes
 * (docs/server.md, "Passwords"). Here every core still hashes when there is nothing
 * else to do, but the kernel runs the event loop first whenever it has work (Linux: the threads run
 * under SCHED_IDLE, or re-niced where `chrt` is missing; elsewhere at normal priority). The pool is
 * bounded: beyond `maxQueued` waiting hashes, callers get 503 `unavailable` with Retry-After at
 * once instead of a queue that only grows.
 */
export interface HashPoolOptions {
  /** Worker threads. @default os.availableParallelism() */
  threads?: number;
  /** Hashes allowed to wait for a thread before new ones are refused. @default 256 */
  maxQueued?: number;
  /** Niceness of the hashing threads (Linux), 0..19. @default 10 */
  nice?: number;
  /**
   * Linux: run the hashing threads under the SCHED_IDLE policy (with util-linux's `chrt`; where it
   * is missing, niceness alone applies). @default true
   */
  schedIdle?: boolean;
}

export type HashTask = { op: 'hash'; password: string; options: object } | { op: 'verify'; hash: string; password: string };

export interface HashPool {
  /**
   * Resolves with the hash, or with whether the password matches (false for a malformed stored
   * hash). Rejects only when hashing itself failed: pool closed or overloaded, thread lost.
   */
  run(task: HashTask): Promise<string | boolean>;
  /** Terminates the threads; pending and later tasks reject. */
  close(): Promise<void>;
}

type Reply = { id: number; ok: true; value: string | boolean } | { id: number; ok: false; message: string };

interface Job {
  id: number;
  task: HashTask;
  resolve(value: string | boolean): void;
  reject(error: Error): void;
}

/** What each hashing thread (hash-worker.ts) is started with. */
export interface HashWorkerData {
  nice: number;
  schedIdle: boolean;
}

// The thread runs hash-worker.ts from the sources (Node strips its types) or hash-worker.js from
// the build, whichever sits next to this module.
const WORKER_FILE = new URL(import.meta.url.endsWith('.ts') ? './hash-worker.ts' : './hash-worker.js', import.meta.url);

export function createHashPool(options: HashPoolOptions = {}): HashPool {
  const size = Math.max(1, options.threads ?? availableParallelism());
  const maxQueued = options.maxQueued ?? 256;
  const nice = options.nice ?? 10;
  const schedIdle = options.schedIdle ?? true;
  const idle: Worker[] = [];
  const busy = new Map<Worker, Job>();
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;

  function spawn(): Worker {
    const workerData: HashWorkerData = { nice, schedIdle };
    const worker = new Worker(WORKER_FILE, { workerData });
    worker.on('message', (reply: Reply) => {
      const job = busy.get(worker);
      if (job === undefined || job.id !== reply.id) return;
      busy.delete(worker);
      if (reply.ok) job.resolve(reply.value);
      else job.reject(new Error(reply.message));
      release(worker);
    });
    // A thread that dies (out of memory, terminated) takes only its own task down.
    const fail = (error: Error) => {
      const job = busy.get(worker);
      busy.delete(worker);
      const at = idle.indexOf(worker);
      if (at >= 0) idle.splice(at, 1);
      job?.reject(error);
      if (!closed) dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`password hashing thread exited (code ${code})`)));
    return worker;
  }

  function release(worker: Worker): void {
    // An idle thread must not keep a CLI process alive; a busy one must (its caller awaits it).
    worker.unref();
    idle.push(worker);
    dispatch();
  }

  function dispatch(): void {
    while (queue.length > 0) {
      const worker = idle.pop() ?? (busy.size < size ? spawn() : undefined);
      if (worker === undefined) return;
      const job = queue.shift()!;
      busy.set(worker, job);
      worker.ref();
      worker.postMessage({ id: job.id, task: job.task });
    }
  }

  return {
    run(task) {
      if (closed) return Promise.reject(new Error('password hashing pool is closed'));
      if (queue.length >= maxQueued) {
        return Promise.reject(
          new SigilError('unavailable', 'Too many password checks in progress; retry shortly', { headers: { 'Retry-After': '1' } }),
        );
      }
      return new Promise((resolve, reject) => {
        queue.push({ id: nextId++, task, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      const closedError = () => new Error('password hashing pool is closed');
      for (const job of queue.splice(0)) job.reject(closedError());
      for (const job of busy.values()) job.reject(closedError());
      const workers = [...idle, ...busy.keys()];
      idle.length = 0;
      busy.clear();
      // Not worker.terminate(): stopping a thread in the middle of the native argon2 call can crash
      // the whole process (SIGTRAP). A thread asked to exit finishes its current hash first.
      await Promise.all(
        workers.map((worker) => {
          const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
          worker.postMessage({ exit: true });
          return exited;
        }),
      );
    },
  };
}
