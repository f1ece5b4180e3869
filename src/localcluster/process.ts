// Running the control-plane components as child processes that can never
// outlive us. Each component gets its own process group (so a stop reaches
// anything it forks) and a pid file; a watchdog shell, also in its own group,
// holds the read end of a pipe from this process and kills every group named
// by a pid file when that pipe closes. The kernel closes the pipe however we
// die (exception, signal, even SIGKILL), so a crashed or interrupted test run
// leaves no etcd or API server behind holding ports.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** How a component process ended. */
export interface ComponentExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ComponentSpec {
  /** Short name used for the log and pid files, e.g. `kube-apiserver`. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly logPath: string;
  /** Directory for the pid file the watchdog reads. */
  readonly runDir: string;
  /** How long stop() waits after SIGTERM before SIGKILL (default 5 s). */
  readonly stopGraceMs?: number;
}

/** The last `lines` lines of a log file, or a note that it is unreadable. */
export function tailFile(path: string, lines = 40): string {
  try {
    const text = readFileSync(path, 'utf8');
    return text
      .split('\n')
      .slice(-lines - 1)
      .join('\n')
      .trimEnd();
  } catch (error) {
    return `(could not read ${path}: ${(error as Error).message})`;
  }
}

/** One supervised component: start, observe its exit, stop it (gracefully, then by force). */
export class Component {
  readonly spec: ComponentSpec;
  private child: ChildProcess | undefined;
  private exitPromise: Promise<ComponentExit> | undefined;
  private lastExit: ComponentExit | undefined;

  constructor(spec: ComponentSpec) {
    this.spec = spec;
  }

  get pidPath(): string {
    return join(this.spec.runDir, `${this.spec.name}.pid`);
  }

  get running(): boolean {
    return this.child !== undefined && this.lastExit === undefined;
  }

  /** Resolves when the current process exits; undefined before the first start. */
  get exited(): Promise<ComponentExit> | undefined {
    return this.exitPromise;
  }

  start(): void {
    if (this.running) {
      throw new Error(`${this.spec.name} is already running`);
    }
    // Restarts append to the same log, so a test that restarts the API server
    // keeps the whole story in one file.
    const logFd = openSync(this.spec.logPath, 'a');
    let child: ChildProcess;
    try {
      writeFileSync(
        logFd,
        `\n==== ${new Date().toISOString()} starting ${this.spec.command} ${this.spec.args.join(' ')}\n`,
      );
      child = spawn(this.spec.command, [...this.spec.args], {
        detached: true,
        stdio: ['ignore', logFd, logFd],
        cwd: this.spec.runDir,
      });
    } finally {
      closeSync(logFd);
    }
    this.child = child;
    this.lastExit = undefined;
    this.exitPromise = new Promise<ComponentExit>((resolve) => {
      const done = (exit: ComponentExit): void => {
        if (this.child === child && this.lastExit === undefined) {
          this.lastExit = exit;
          this.removePidFile();
        }
        resolve(exit);
      };
      child.once('exit', (code, signal) => done({ code, signal }));
      // spawn reports a missing binary as an error event, not an exit.
      child.once('error', () => done({ code: null, signal: null }));
    });
    if (child.pid !== undefined) {
      writeFileSync(this.pidPath, `${child.pid}\n`);
    }
    // A running component must not keep the test runner alive on its own: the
    // cluster's stop() or the exit hooks end it.
    child.unref();
  }

  private removePidFile(): void {
    try {
      unlinkSync(this.pidPath);
    } catch {
      // Already gone: nothing to clean.
    }
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined || !this.running) return;
    try {
      // Negative pid: the whole process group the component leads.
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  async stop(graceMs = this.spec.stopGraceMs ?? 5_000): Promise<void> {
    const exited = this.exitPromise;
    if (!this.running || exited === undefined) return;
    // Hold the event loop open until the exit is observed; start() unref'd it.
    this.child?.ref();
    this.signalGroup('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      this.signalGroup('SIGKILL');
      await exited;
    }
  }

  /** Synchronous SIGKILL for process-exit handlers, where nothing can be awaited. */
  killNow(): void {
    this.signalGroup('SIGKILL');
    this.removePidFile();
  }
}

// The watchdog blocks on stdin. EOF means the parent closed it (stop) or died;
// either way it kills every group a pid file names and, unless asked to keep
// it, removes the cluster directory.
const watchdogScript = `
dir="$1"; keep="$2"
while read -r _; do :; done
for f in "$dir"/run/*.pid; do
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  case "$pid" in ''|*[!0-9]*) continue ;; esac
  kill -KILL -- "-$pid" 2>/dev/null
done
[ "$keep" = 1 ] || rm -rf -- "$dir"
`;

/** Handle on the watchdog; `release()` tells it the cluster was stopped cleanly. */
export interface Watchdog {
  release(): void;
}

/** Starts the watchdog for a cluster directory whose `run/` holds the pid files. */
export function startWatchdog(dir: string, keepDir: boolean): Watchdog {
  // bash, not sh: dash's kill builtin cannot signal a process group.
  const child = spawn('bash', ['-c', watchdogScript, 'bulwark-watchdog', dir, keepDir ? '1' : '0'], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    cwd: '/',
  });
  child.unref();
  const stdin = child.stdin;
  // The pipe must not keep the event loop alive either; it only has to stay open.
  if (stdin !== null && 'unref' in stdin && typeof stdin.unref === 'function') {
    (stdin.unref as () => void).call(stdin);
  }
  // A dead watchdog must not crash us with EPIPE; the exit hook still cleans up.
  stdin?.on('error', () => undefined);
  child.on('error', () => undefined);
  return {
    release(): void {
      stdin?.end();
    },
  };
}

/** Removes a directory tree synchronously, ignoring errors (for exit handlers). */
export function removeDirSync(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // Best effort: the watchdog removes it too.
  }
}
