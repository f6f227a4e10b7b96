/**
 * The body of one password hashing thread (hash-pool.ts starts it): lowers its own CPU priority,
 * then hashes with argon2id and verifies every stored format Sigil knows, one task at a time.
 */
import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { hashSync, type Options } from '@node-rs/argon2';
import type { HashTask, HashWorkerData } from './hash-pool.ts';
import { verifyPasswordSync } from './verify-sync.ts';

interface TaskMessage {
  id: number;
  task?: HashTask;
  exit?: boolean;
}

lowerPriority(workerData as HashWorkerData);

const port = parentPort;
port?.on('message', ({ id, task, exit }: TaskMessage) => {
  // Asked to stop: closing the port lets the thread end on its own, after any native call.
  if (exit || task === undefined) return port.close();
  try {
    // A malformed stored hash verifies as false (verifyPasswordSync): a thrown error here means
    // the thread failed, not that the password is wrong.
    const value = task.op === 'hash' ? hashSync(task.password, task.options as Options) : verifyPasswordSync(task.hash, task.password);
    port.postMessage({ id, ok: true, value });
  } catch (error) {
    port.postMessage({ id, ok: false, message: String((error instanceof Error && error.message) || error) });
  }
});

function lowerPriority({ nice, schedIdle }: HashWorkerData): void {
  try {
    // /proc/thread-self -> "<pid>/task/<tid>"; setpriority on a tid re-nices only this thread.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(tid, nice);
    // SCHED_IDLE goes further than niceness: the kernel preempts this thread at once whenever a
    // normal thread (the event loop, libuv's pool) wakes up, instead of letting it finish its time
    // slice (which EEVDF grants a nice-10 thread, so the event loop would wait for the rest of it).
    // Node has no sched_setscheduler binding: util-linux's chrt sets it, where it is installed.
    if (schedIdle) {
      try {
        execFileSync('chrt', ['--idle', '--pid', '0', String(tid)], { stdio: 'ignore', timeout: 5000 });
      } catch {}
    }
  } catch {}
}
