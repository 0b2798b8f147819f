// Loaded into the riskstream that `bench --spawn` starts (node --import, with PARENT_WATCH_ENV set):
// stops it when the bench is gone. The bench holds the write end of the child's stdin; when the
// bench dies, even by SIGKILL, the pipe closes and this asks riskstream to stop as a SIGTERM would
// (its graceful stop), then ends it if that has not happened within STOP_LIMIT_MS. Its namespace
// and data folder stay behind: only the bench knows to delete them. Imported anywhere else
// (the bench imports the name below) it does nothing.
import { isMainThread } from 'node:worker_threads';

export const PARENT_WATCH_ENV = 'RISKSTREAM_BENCH_WATCH_STDIN';
const STOP_LIMIT_MS = 30_000;

function parentGone(): void {
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), STOP_LIMIT_MS).unref();
}

if (isMainThread && process.env[PARENT_WATCH_ENV] === '1') {
  // Not passed on to whatever this process starts.
  delete process.env[PARENT_WATCH_ENV];
  process.stdin.once('end', parentGone);
  process.stdin.once('error', parentGone);
  process.stdin.resume();
  // Reading the pipe must not keep riskstream alive once it has stopped of its own accord.
  (process.stdin as { unref?: () => void }).unref?.();
}
