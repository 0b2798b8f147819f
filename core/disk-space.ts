// How much room the data folder's disk has left. Embedded chDB, the writer's in-flight record and
// the demo's files all live in RISKSTREAM_DATA_DIR; when its disk fills, every insert fails
// (NOT_ENOUGH_SPACE) while decisions go on and rows wait on the streams (docs/operations.md, "When
// the data folder's disk fills"). Said at start, by `doctor` and in the writer's failure lines.
import { statfsSync } from 'node:fs';

export type DiskSpace = {
  readonly path: string;
  /** What an unprivileged process may still write (statfs bavail). */
  readonly freeBytes: number;
  readonly totalBytes: number;
};

/**
 * Below this much free, the data folder's disk counts as nearly full. Stored rows take about 300
 * bytes an event (events and decisions, measured), and merges need room for the parts they write
 * before they drop the ones they replace (chDB keeps those 8 minutes): 1 GiB is a few hours of the
 * demo's 50 events/s, or minutes at 1,000 events/s.
 */
export const LOW_DISK_BYTES = 1024 ** 3;

/** The disk space of the file system holding `path`; null when it cannot be read (no such folder). */
export function diskSpaceOf(path: string): DiskSpace | null {
  try {
    const stats = statfsSync(path);
    return { path, freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
  } catch {
    return null;
  }
}

/** Bytes for a person: `0 B`, `512 KiB`, `287 MiB`, `1.5 GiB`. */
export function bytesText(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** `287 MiB free of 20 GiB` */
export function diskSpaceText(space: DiskSpace): string {
  return `${bytesText(space.freeBytes)} free of ${bytesText(space.totalBytes)}`;
}

/**
 * What to tell about a data folder whose disk is nearly full: where, how much is free and what to
 * do; null when it has room (or nothing could be read).
 */
export function lowDiskSpaceProblem(space: DiskSpace | null, minFreeBytes = LOW_DISK_BYTES): string | null {
  if (space === null || space.freeBytes >= minFreeBytes) return null;
  return (
    `the disk of the data folder ${space.path} is nearly full (${diskSpaceText(space)}): once it is full, nothing more is stored ` +
    '(decisions go on, rows wait on the streams). Free space there, lower RISKSTREAM_RETENTION_DAYS, or move RISKSTREAM_DATA_DIR to a larger disk'
  );
}

/** Whether an error's text says that a disk is full: ClickHouse's NOT_ENOUGH_SPACE ("not enough space"), or the system's ENOSPC. */
export function isDiskFullText(text: string): boolean {
  return /NOT_ENOUGH_SPACE|not enough space|ENOSPC|no space left on device/i.test(text);
}
