// Admission control for the HTTP gateway. The streams keep at most RISKSTREAM_STREAM_MAX_MB (alerts
// a quarter of it) and, when full, discard their oldest messages whether read or not
// (docs/operations.md, stream limits): callers sending faster than the processors or the writer
// read, for long enough, would have events acknowledged (202) and then dropped unread — or the
// decisions and alerts made of them. So while the slowest of the product's readers of the events,
// decisions or alerts stream has more than half of that stream's limit unread, the gateway refuses
// new events (503 RS_ERR_INGEST_BACKLOG, with Retry-After) and takes them again once that is down to
// three eighths. It looks once a second; with no recent look (NATS not answering) it admits, and the
// publish itself answers.
import { readBacklogs, RiskstreamError, worstVerdict, type Bus, type Logger, type Metrics } from '../core/index.js';

/** Refuse while the slowest reader has this share of the stream's limit unread… */
export const GATE_CLOSE_SHARE = 0.5;
/** …and admit again once it is down to this share. */
export const GATE_OPEN_SHARE = 0.375;
/** What refused callers are told to wait, seconds. */
export const RETRY_AFTER_SECONDS = 2;

export type BacklogGateOptions = {
  readonly pollMs?: number;
  /** A look older than this no longer counts (the gate admits). */
  readonly staleMs?: number;
  readonly closeShare?: number;
  readonly openShare?: number;
};

type Refusal = { readonly what: string; readonly unreadBytes: number; readonly limitBytes: number; readonly reason: string };

export class BacklogGate {
  private readonly _bus: Bus;
  private readonly _metrics: Metrics;
  private readonly _logger: Logger;
  private readonly _pollMs: number;
  private readonly _staleMs: number;
  private readonly _closeShare: number;
  private readonly _openShare: number;
  private _refusal: Refusal | null = null;
  private _lookedAt = 0;
  private _timer: NodeJS.Timeout | undefined;
  private _looking = false;

  constructor(bus: Bus, metrics: Metrics, logger: Logger, options: BacklogGateOptions = {}) {
    this._bus = bus;
    this._metrics = metrics;
    this._logger = logger;
    this._pollMs = options.pollMs ?? 1000;
    this._staleMs = options.staleMs ?? 10_000;
    this._closeShare = options.closeShare ?? GATE_CLOSE_SHARE;
    this._openShare = options.openShare ?? GATE_OPEN_SHARE;
  }

  start(): void {
    if (this._timer) return;
    this._timer = setInterval(() => {
      if (this._looking) return;
      this._looking = true;
      void this.look()
        .catch((error: unknown) => this._logger.debug({ err: error }, 'could not look at the streams and their readers'))
        .finally(() => (this._looking = false));
    }, this._pollMs);
    this._timer.unref();
  }

  stop(): void {
    if (this._timer) clearInterval(this._timer);
    this._timer = undefined;
  }

  /** Whether new events are refused now. */
  get refusing(): boolean {
    return this._refusal !== null && Date.now() - this._lookedAt <= this._staleMs;
  }

  /** One look at the streams the product fills and their readers; updates what `check` answers. */
  async look(): Promise<void> {
    const verdict = worstVerdict(await readBacklogs(this._bus), this._refusal ? this._openShare : this._closeShare);
    this._lookedAt = Date.now();
    const was = this._refusal;
    this._refusal = verdict.wait ? { what: verdict.what, unreadBytes: verdict.unreadBytes, limitBytes: verdict.limitBytes, reason: verdict.reason } : null;
    this._metrics.ingestRefusing.set(this._refusal ? 1 : 0);
    if (this._refusal && !was) {
      this._logger.warn(
        { stream: this._refusal.what, unreadMiB: mib(this._refusal.unreadBytes), limitMiB: mib(this._refusal.limitBytes) },
        `the HTTP gateway refuses new events (503 RS_ERR_INGEST_BACKLOG): ${describe(this._refusal)}; it takes them again at ${Math.round(this._openShare * 100)} %`,
      );
    } else if (!this._refusal && was) {
      this._logger.info('the HTTP gateway takes new events again: the readers caught up');
    }
  }

  /** Throws RS_ERR_INGEST_BACKLOG (503) while refusing; the caller sets Retry-After. */
  check(): void {
    if (!this.refusing) return;
    const refusal = this._refusal!;
    throw new RiskstreamError(
      'RS_ERR_INGEST_BACKLOG',
      `riskstream is behind: ${describe(refusal)}. Nothing was stored; send the events again after a pause (Retry-After)`,
      { unreadMiB: mib(refusal.unreadBytes), limitMiB: mib(refusal.limitBytes), retryAfterSeconds: RETRY_AFTER_SECONDS },
    );
  }
}

function describe(r: Refusal): string {
  const share = r.limitBytes > 0 ? Math.round((r.unreadBytes / r.limitBytes) * 100) : 0;
  return `${mib(r.unreadBytes)} MiB of ${r.what} are unread (${r.reason}), ${share} % of the ${r.what} stream's limit, and a full stream discards its oldest messages unread`;
}

function mib(bytes: number): number {
  return Math.round(bytes / 1048576);
}

/** For clients of the gateway: the message of a 503 RS_ERR_INGEST_BACKLOG answer; null for any other answer. */
export function backlogRefusal(status: number, body: string): string | null {
  if (status !== 503) return null;
  try {
    const error = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown } }).error;
    return error?.code === 'RS_ERR_INGEST_BACKLOG' ? String(error.message) : null;
  } catch {
    return null;
  }
}

/** For clients of the gateway: Retry-After in seconds (kept within 1–30) as milliseconds; 2 s when absent. */
export function retryAfterMs(header: string | string[] | undefined): number {
  const seconds = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(30, Math.max(1, seconds)) * 1000 : RETRY_AFTER_SECONDS * 1000;
}
