// Who ran a benchmark, where: machine, Node, commit. Recorded next to every figure.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, realpathSync } from 'node:fs';
import os from 'node:os';
import { projectRoot } from '../../core/index.js';

export type MachineInfo = {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly commit: string;
};

export function machineInfo(): MachineInfo {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    commit: commitOf(projectRoot()),
  };
}

/**
 * The commit of the riskstream checkout at `root` (`+dirty` with uncommitted changes to tracked
 * files), or 'unknown' when it is not the top of a git checkout. Git runs in `root`, not in the
 * current folder: before 2026-12-06 (21:30) a bench started from another repository recorded that
 * repository's commit; and a riskstream installed inside some other checkout (node_modules) is not
 * that checkout's commit either.
 */
export function commitOf(root: string): string {
  const git = (args: string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    if (realpathSync(git(['rev-parse', '--show-toplevel'])) !== realpathSync(root)) return 'unknown';
    let commit = git(['rev-parse', '--short', 'HEAD']);
    if (git(['status', '--porcelain', '--untracked-files=no'])) commit += '+dirty';
    return commit;
  } catch {
    return 'unknown';
  }
}

/** Resident memory of a process in MiB, from /proc (Linux); null elsewhere or when it is gone. */
export function residentMiB(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc; null when unknown. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/**
 * The pid of the process named `name` (Linux) whose command line mentions `port`, else of the
 * first process of that name; null when there is none. Good enough to find the local servers.
 */
export function pidOf(name: string, port?: string): number | null {
  let first: number | null = null;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== name) continue;
        if (port === undefined || readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(port)) return Number(entry);
        first ??= Number(entry);
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    // no /proc
  }
  return first;
}
