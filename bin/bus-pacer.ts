// Keeps a command that publishes events onto the bus itself (replay, simulate) at the pace of the
// product's slowest reader. A full stream discards its oldest messages whether read or not, so a
// file or a generator far faster than the processors or the writer would lose its own first events
// (or their decisions): while a reader has more than a quarter of a stream's limit unread, the
// command waits (until an eighth), says so once, then shows it as progress, and at the end says how
// long it waited in all. The HTTP gateway refuses at half (ingest/backlog-gate.ts), so paced
// commands slow down long before live callers are refused.
import { setTimeout as sleep } from 'node:timers/promises';
import { countOf, readBacklogs, worstVerdict, type Bus, type StreamBacklog } from '../core/index.js';

/** Unread messages may take up this share of a stream before the command waits. */
export const UNREAD_SHARE = 0.25;
/** Once waiting, the command goes on when the unread messages are down to this share. */
export const RESUME_SHARE = 0.125;
const CHECK_MS = 500;
const WAIT_PROGRESS_MS = 2000;

export type PacerOutput = { report(line: string): void; progress(line: string): void };

export class BusPacer {
  private readonly _bus: Bus;
  /** How the command names itself in its lines (`replay`) and as a subject (`the replay`). */
  private readonly _label: string;
  private readonly _subject: string;
  private readonly _out: PacerOutput;
  private _sentBytes = 0;
  private _checkedAt = 0;
  private _checkedBytes = 0;
  /** Bytes sent between looks at most: a twentieth of what may lie unread (from the first look on). */
  private _bytesBetweenChecks = 0;
  private _waits = 0;
  private _waitedMs = 0;

  constructor(bus: Bus, label: string, subject: string, out: PacerOutput) {
    this._bus = bus;
    this._label = label;
    this._subject = subject;
    this._out = out;
  }

  /** Counts bytes published onto the events stream. */
  sent(bytes: number): void {
    this._sentBytes += bytes;
  }

  /** Resolves at once while the readers keep up; otherwise once they have caught up (or `signal` aborts). */
  async admit(signal?: AbortSignal): Promise<void> {
    // Every half second, and more often when sending fast.
    if (performance.now() - this._checkedAt < CHECK_MS && this._sentBytes - this._checkedBytes < this._bytesBetweenChecks) return;
    this._checkedAt = performance.now();
    this._checkedBytes = this._sentBytes;
    let verdict = worstVerdict(await this._backlogs(), UNREAD_SHARE);
    if (!verdict.wait) return;
    // Waits until the unread messages are down to half the limit, so that it does not stop and go
    // at every look; says why the first time, then shows it as progress.
    const started = performance.now();
    if (this._waits++ === 0) {
      this._out.report(
        `${this._label}: waiting: ${mib(verdict.unreadBytes)} MiB of ${verdict.what} unread (${verdict.reason}); a full stream would discard them, so ${this._subject} keeps pace with the slowest reader`,
      );
    }
    let shownAt = 0;
    while (verdict.wait && !signal?.aborted) {
      if (performance.now() - shownAt >= WAIT_PROGRESS_MS) {
        shownAt = performance.now();
        this._out.progress(`${this._label}: waiting: ${mib(verdict.unreadBytes)} MiB of ${verdict.what} unread (${verdict.reason})`);
      }
      await sleep(CHECK_MS, undefined, signal ? { signal } : undefined).catch(() => undefined);
      if (signal?.aborted) break;
      verdict = worstVerdict(await this._backlogs(), RESUME_SHARE);
    }
    this._waitedMs += performance.now() - started;
    this._checkedAt = performance.now();
  }

  /** Says how long the command waited in all, if it did. */
  close(): void {
    if (this._waits > 0) {
      this._out.report(`${this._label}: waited ${(this._waitedMs / 1000).toFixed(0)} s in all (${countOf(this._waits, 'time')}) for the slowest reader`);
    }
  }

  private async _backlogs(): Promise<StreamBacklog[]> {
    const readings = await readBacklogs(this._bus, this._sentBytes);
    this._bytesBetweenChecks = (readings[0]!.maxBytes * UNREAD_SHARE) / 20;
    return readings;
  }
}

function mib(bytes: number): string {
  return (bytes / 1048576).toFixed(0);
}
