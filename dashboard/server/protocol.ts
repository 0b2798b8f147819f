// The contract between the dashboard server and the web app: user roles, WebSocket topics and
// messages, and the shapes the REST API answers with. Its values are plain constants and its own
// imports are type-only, so that dashboard/web can import it (the protocol version, as a value)
// without pulling server code into the bundle. Change it deliberately: both sides and
// docs/dashboard-live.md follow, and a change either side would misread raises LIVE_PROTOCOL_VERSION.
import type { AlertWire, DecisionWire, Domain, EventKind, ProcessHealthWire, Segment, Severity } from '../../core/index.js';
import type {
  AccountView,
  AlertDetail,
  AlertPage,
  KpiHistory,
  Network,
  PartyView as StoragePartyView,
  StoredDeadLetter,
  TimelineEntry as StorageTimelineEntry,
} from '../../storage/index.js';

// ---------------------------------------------------------------------------------------------
// Users and roles

export const USER_ROLES = ['admin', 'risk_monitor', 'compliance_officer', 'compliance_supervisor', 'credit_officer', 'auditor'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** The signed-in user as the server tells the app (GET /api/auth/me, the login answer, the WS hello). */
export type SessionUser = {
  readonly username: string;
  readonly displayName: string;
  readonly roles: readonly UserRole[];
  readonly totpEnabled: boolean;
  /** Preferred language of the app ('en' | 'zh-CN'). */
  readonly locale: string;
};

/** The login answer: the user plus the token to send as `x-csrf-token` on every state-changing request. */
export type LoginAnswer = { readonly user: SessionUser; readonly csrfToken: string };

// ---------------------------------------------------------------------------------------------
// WebSocket (/ws): one socket per tab, authenticated at upgrade by the session cookie.

/**
 * The version of the /ws protocol this code speaks; both sides carry it, so a tab's bundle and the
 * server it reaches can tell whether they read each other's messages alike. Raise it with any change
 * the other side would misread (docs/dashboard-live.md, "Versions"):
 * - 1: everything before versions (2026-12-07): a tab states none; kpi-history holds every tick whole.
 * - 2: kpi-history holds the newest tick whole and the older seconds as `trail`; kpi subscribe takes `since`.
 */
export const LIVE_PROTOCOL_VERSION = 2;
/** The query parameter a tab states its version in when it opens the socket: `/ws?protocol=2`. */
export const LIVE_PROTOCOL_PARAM = 'protocol';
/**
 * The close code of a socket whose version this server does not speak (sent after `hello`, which
 * says the server's own). Reconnecting cannot help: the page must be loaded again.
 */
export const CLOSE_PROTOCOL_UNSUPPORTED = 4426;
/** The `<meta name>` in the built index.html that carries the build's id (the server reads the same). */
export const BUILD_META_NAME = 'riskstream-build';

export const TOPICS = ['kpi', 'alerts', 'account', 'health'] as const;
export type Topic = (typeof TOPICS)[number];

/** Roles that may subscribe to each topic. A credit officer sees credit alerts only (the server forces the domain filter). */
export const TOPIC_ROLES: Readonly<Record<Topic, readonly UserRole[]>> = {
  kpi: USER_ROLES,
  alerts: ['admin', 'risk_monitor', 'compliance_officer', 'compliance_supervisor', 'credit_officer', 'auditor'],
  account: ['admin', 'risk_monitor', 'compliance_officer', 'compliance_supervisor', 'auditor'],
  health: ['admin', 'risk_monitor', 'auditor'],
};

export type AlertFilter = {
  readonly domain?: Domain;
  readonly severity?: Severity;
  readonly typology?: string;
  readonly segment?: Segment;
};

export type ClientMessage =
  /** `since`: the newest second (KpiTick.at) the tab holds; kpi-history then holds only what it lacks (docs/dashboard-live.md). */
  | { readonly type: 'subscribe'; readonly topic: 'kpi'; readonly since?: number }
  | { readonly type: 'subscribe'; readonly topic: 'alerts'; readonly filter?: AlertFilter }
  | { readonly type: 'subscribe'; readonly topic: 'account'; readonly accountId: string }
  | { readonly type: 'subscribe'; readonly topic: 'health' }
  | { readonly type: 'unsubscribe'; readonly topic: Topic; readonly accountId?: string }
  | { readonly type: 'ping'; readonly id?: string };

/**
 * A decision as pushed on the account topic: the decision without its feature map. `amount`: the
 * exact decimal of amountMinor in its currency (ISO 4217 digits); show it rather than formatting
 * amountMinor. `amountUsd`: the same in USD at the indicative rates, as storage writes it (the
 * account's totals add it).
 */
export type DecisionSummary = Omit<DecisionWire, 'features' | 'labels'> & { readonly amount?: string; readonly amountUsd?: string };

/** An alert as the account topic pushes it: as the alerts topic does, with its exact `amount` when it has one. */
export type AccountAlert = AlertWire & { readonly amount?: string };

/** What the overview shows, pushed about once a second (coalesced: a slow client gets the latest only). */
export type KpiTick = {
  /** The second this tick describes (epoch ms, a multiple of 1000); the hub lags the clock by ~1 s to let processors report. */
  readonly at: number;
  /**
   * The first second this hub heard (its process's start): the windows (1 and 15 minutes) hold
   * only what came since, so shortly after a restart they are short.
   */
  readonly since: number;
  /** Decisions per second in that second (≈ events/s through the pipeline). */
  readonly decisionsPerSecond: number;
  /**
   * Ingest-to-decision latency over the last 10 s, from the merged histograms, interpolated within
   * the bucket that holds each quantile (null with no traffic). A quantile in a bucket with no upper
   * bound (above 300 s, or above 5 s from a processor of an earlier release) is sent as that bucket's
   * lower bound with `latencyP50Beyond` / `latencyP99Beyond` true, as it lies above it: show "> N".
   * The flags are absent otherwise, and from hubs older than them (which sent 5000 for anything above 5 s).
   */
  readonly latencyP50Ms: number | null;
  readonly latencyP99Ms: number | null;
  readonly latencyP50Beyond?: true;
  readonly latencyP99Beyond?: true;
  readonly byAction: { readonly allow: number; readonly review: number; readonly block: number };
  /** Alerts over the last 60 s. */
  readonly alertsPerMinute: number;
  /** Fraud alerts per payment decision over the last 60 s (0–1). */
  readonly fraudRate: number;
  /** Decided and blocked amounts over the last 60 s, USD at the indicative rates, decimal text. */
  readonly decidedUsdLastMinute: string;
  readonly blockedUsdLastMinute: string;
  /** Score histogram over the last 60 s (KPI_SCORE_BUCKETS buckets over 0–1000). */
  readonly scores: readonly number[];
  /** Alerts by typology over the last 15 minutes. */
  readonly alertsByTypology: Readonly<Record<string, number>>;
  /** Alerts by domain over the last 60 s. */
  readonly alertsByDomain: Readonly<Record<string, number>>;
  /** Country corridors over the last 5 minutes (largest first). */
  readonly corridors: ReadonlyArray<{ readonly from: string; readonly to: string; readonly count: number; readonly amountUsd: string; readonly alerts: number }>;
  /** Per event kind over the last 60 s (the credit page reads the loan kinds). */
  readonly byKind: Partial<Readonly<Record<EventKind, { readonly count: number; readonly allow: number; readonly review: number; readonly block: number; readonly amountUsd: string }>>>;
  /** Processes that reported in this second. */
  readonly processors: number;
};

/**
 * Consecutive seconds of KpiTick, column by column, with only the figures the charts and
 * sparklines draw from seconds before the newest: the i-th value of each column is the second
 * `from + i × 1000`. About 70 bytes a second where a whole tick takes several KB.
 */
export type KpiTrail = {
  readonly from: number;
  readonly since: number;
  readonly decisionsPerSecond: readonly number[];
  /** As the ticks' latencyP50Ms / latencyP99Ms, without their `…Beyond` flags: a chart draws the bound, and only the newest tick's text says "> N". */
  readonly latencyP50Ms: readonly (number | null)[];
  readonly latencyP99Ms: readonly (number | null)[];
  readonly alertsPerMinute: readonly number[];
  readonly fraudRate: readonly number[];
  readonly blockedUsdLastMinute: readonly string[];
  /** `byKind['loan.application']`'s actions over the last 60 s (the credit page's chart). */
  readonly loanApplications: { readonly allow: readonly number[]; readonly review: readonly number[]; readonly block: readonly number[] };
};

/** The system-health view: every process's latest heartbeat plus rates derived from consecutive ones. */
export type HealthView = {
  readonly at: number;
  readonly processes: ReadonlyArray<
    ProcessHealthWire & {
      /** Per-second rates over the process's heartbeats of about the last 10 s (null on the first). */
      readonly rates: { readonly eventsIn: number; readonly decisions: number; readonly alerts: number; readonly deadLettered: number; readonly rowsWritten: number } | null;
      /** True when no heartbeat came for 3 intervals. */
      readonly stale: boolean;
    }
  >;
};

export type ServerMessage =
  /**
   * First on every socket. `protocol`: the version the server speaks on this socket, the one the
   * tab stated when the server serves it, else (a refusal, closed with 4426) its newest,
   * LIVE_PROTOCOL_VERSION; absent from servers before versions, which spoke 1. `build`: the id of
   * the web app it serves (null when it serves none, e.g. the API role alone). A tab that finds
   * another protocol than its own reads nothing more.
   */
  | { readonly type: 'hello'; readonly user: SessionUser; readonly serverTime: number; readonly topics: readonly Topic[]; readonly protocol: number; readonly build: string | null }
  | { readonly type: 'subscribed'; readonly topic: Topic; readonly accountId?: string }
  | { readonly type: 'unsubscribed'; readonly topic: Topic; readonly accountId?: string }
  | { readonly type: 'kpi'; readonly tick: KpiTick }
  /**
   * Sent after subscribing to kpi: the seconds the hub still holds (up to 15 minutes; with the
   * subscription's `since`, from 10 s before it on), the newest as a tick and the older ones as
   * `trail`. Also instead of a `kpi` tick when earlier seconds were amended (a processor's snapshot
   * came after their tick): those ticks again, then the newest; when the hub's timer fired late
   * and several seconds are new at once; and to a tab that fell behind, every second it was owed
   * when it reads again (docs/dashboard-live.md). Merge by `at`; `trail`'s seconds are all older
   * than `ticks`'.
   */
  | { readonly type: 'kpi-history'; readonly ticks: readonly KpiTick[]; readonly trail?: KpiTrail }
  /** `alert.amount`: the exact decimal of amountMinor (ISO 4217 digits), as the REST API writes it. */
  | { readonly type: 'alert'; readonly alert: AlertWire & { readonly amount?: string } }
  /**
   * The client fell behind and the server dropped alerts for it: `count` alerts created from `since`
   * on were not sent. Catch up with GET /api/alerts?since=<since>.
   */
  | { readonly type: 'missed'; readonly topic: 'alerts' | 'account'; readonly count: number; readonly since: number }
  | { readonly type: 'account'; readonly accountId: string; readonly decision: DecisionSummary }
  /**
   * An alert that names a watched account (`alert.accountId`: the debtor's account of a payment),
   * pushed on the account topic beside its decisions (since 2026-12-07; a tab that does not know
   * the type ignores it). A `missed` on the account topic covers these too.
   */
  | { readonly type: 'account-alert'; readonly accountId: string; readonly alert: AccountAlert }
  | { readonly type: 'health'; readonly view: HealthView }
  | { readonly type: 'pong'; readonly id?: string; readonly serverTime: number }
  | { readonly type: 'error'; readonly code: string; readonly message: string };

// ---------------------------------------------------------------------------------------------
// REST (/api/…): JSON, session cookie, `x-csrf-token` on POST/PUT/PATCH/DELETE. Errors are
// `{ error: { code, message, retryable, details? } }` with the codes of docs/errors.md.

// The answer shapes are the read models' own types (storage/ is their single source; the data API
// returns them as they are), named here for the app.

/** GET /api/alerts?domain&severity&typology&segment&since&limit&cursor */
export type AlertPageAnswer = AlertPage;

/** A payment party as shown; `name` is masked ("A*** L**") for roles that do not need personal data. */
export type PartyView = StoragePartyView;

/** GET /api/alerts/:id — the alert, the decision behind it and the event it judged (null while not yet stored). */
export type AlertDetailAnswer = AlertDetail;

/** One line of an account's timeline: an event with its decision, newest first. */
export type TimelineEntry = StorageTimelineEntry;

/** GET /api/accounts/:id?limit&before — profile, totals and the timeline (paged by `before`, epoch ms). */
export type AccountAnswer = AccountView;

/**
 * GET /api/accounts/:id/network?hops=1..3&limit — counterparties as a graph the app expands hop by
 * hop: a node with `more` has counterparties not included (GET its own network and merge).
 */
export type NetworkAnswer = Network;

/** GET /api/kpis?minutes=1..1440&kind&channel&country — per-minute history from ClickHouse, oldest first. */
export type KpiHistoryAnswer = KpiHistory;

/** Loan decisions of one event kind (allow / review / block = approve / refer / decline for applications). */
export type CreditCounts = {
  readonly decisions: number;
  readonly allowed: number;
  readonly reviewed: number;
  readonly blocked: number;
  /** USD at the indicative rates, decimal text. */
  readonly amountUsd: string;
  readonly reviewedAmountUsd: string;
  readonly blockedAmountUsd: string;
};

/** GET /api/credit/summary?minutes=1..1440 — loan decisions per minute by kind and action, oldest first, with totals. */
export type CreditSummaryAnswer = {
  readonly minutes: ReadonlyArray<{ readonly minute: number; readonly byKind: Readonly<Partial<Record<EventKind, CreditCounts>>> }>;
  readonly totals: Readonly<Partial<Record<EventKind, CreditCounts>>>;
};

/** GET /api/system/dead-letters?limit — the latest dead letters, newest first, payloads cut to their first 2,048 characters. */
export type DeadLettersAnswer = { readonly deadLetters: readonly StoredDeadLetter[] };
