// The simulator: one seeded stream of wire events mixing everyday traffic, loan lives and injected
// patterns, with every customer introduced (a `customer` event) before anything involving them.
import type { Labels, PaymentEventWire, WireEvent } from '../../core/contracts/index.js';
import { formatMinor, parseAmount } from '../../core/money.js';
import { Agenda } from './agenda.js';
import { BALANCE_SHARE, drainShare } from './amounts.js';
import { planEpisode } from './episodes.js';
import { customerEvent } from './events.js';
import { pastPayments } from './history.js';
import { eventId } from './ids.js';
import { planLoan } from './loans.js';
import { reportedPlace } from './location-error.js';
import { PATTERNS } from './patterns/index.js';
import { Rng } from './rng.js';
import { PATTERN_NAMES, type PatternContext, type PatternName, type ScenarioStep } from './scenario.js';
import { TimestampFormatter, timing, type Timing } from './time.js';
import { normalPayment } from './traffic.js';
import { World } from './world.js';

export type SimulatorOptions = {
  readonly seed: number;
  /** Event time of the first event, epoch ms (default: now). */
  readonly startTs?: number;
  /**
   * Customers of the simulated bank (default 20,000). Each customer's events come at
   * rate / customers per second, so a bigger world gives more lifelike velocities; customers
   * are derived on demand and the 10,000–20,000 most recently used are cached (README, Velocity).
   */
  readonly customers?: number;
  readonly merchants?: number;
  /** The event rate the stream is meant to be played at; event time advances 1/rate s per event (default 1,000). */
  readonly rate?: number;
  /**
   * Chance per event that an injected fraud or AML scenario starts (default 0.002: one every 500
   * events, so each of the ten comes round about every 5,000 events, 100 s at 50 events/s). The
   * credit patterns come with loans instead (`troubledLoanShare`).
   */
  readonly patternRate?: number;
  /** Chance per event that a customer applies for a loan (default 0.001). */
  readonly loanRate?: number;
  /**
   * Chance per event that an everyday episode starts that looks like a pattern but is legitimate
   * and unlabelled: payroll, collections, a burst of small payments, a large one-off payment
   * (default 0.003; `episodes.ts`). 0 for none.
   */
  readonly episodeRate?: number;
  /**
   * Share of loan applications that are an injected credit scenario, `missed_repayment` or
   * `loan_default` (default 0.015). With the loans that go bad on their own (≈ 3.6 % of those
   * approved) about 5 % of approved loans are labelled bad.
   */
  readonly troubledLoanShare?: number;
  /** How much faster hour- and day-long scenarios play out (default 1,440: a day in a minute). */
  readonly timeScale?: number;
  /** How much faster the loan calendar runs (default 43,200: a month of loan life in a minute). */
  readonly loanTimeScale?: number;
  /** Which patterns to inject (default: all). */
  readonly patterns?: readonly PatternName[];
  /**
   * Opens the stream with one scenario of every enabled pattern, one every this many ms of event
   * time, the fraud patterns first (default 0: no opening). At `patternRate` alone a demo shows
   * its first pattern after about half a minute and most of them only after ten; the demo
   * (`riskstream start`) opens with 5,000, every pattern within its first minute. Afterwards
   * scenarios start at `patternRate` as usual.
   */
  readonly openingEveryMs?: number;
};

/** The demo's opening (`riskstream start`, `simulate --opening`): a pattern every 5 s, all twelve within the first minute. */
export const DEMO_OPENING_EVERY_MS = 5_000;

export type WorldSummary = {
  readonly seed: number;
  readonly startTs: number;
  readonly customers: number;
  readonly merchants: number;
  readonly patternRate: number;
  readonly loanRate: number;
  readonly episodeRate: number;
  readonly troubledLoanShare: number;
  readonly timeScale: number;
  readonly loanTimeScale: number;
  readonly patterns: readonly PatternName[];
  readonly openingEveryMs: number;
};

export type SimulatorStats = {
  readonly emitted: number;
  /** Stream time of the latest event, epoch ms. */
  readonly now: number;
  readonly scenariosStarted: Readonly<Record<string, number>>;
  /** Everyday look-alike episodes started, by name (unlabelled traffic). */
  readonly episodesStarted: Readonly<Record<string, number>>;
  readonly scheduled: number;
};

export interface Simulator {
  readonly world: WorldSummary;
  /** Events per second the clock is set for: event time moves 1/rate s per event. */
  readonly rate: number;
  /**
   * Sets the clock for a new rate from the next event on (runSimulator calls it with its pacing
   * rate, so event time keeps up with the wall clock). The stream stays a function of the seed
   * and the rates used.
   */
  setRate(rate: number): void;
  /**
   * The next event: a fresh object the caller may keep. Nested blocks that repeat across events
   * (parties, merchant, card, device, normal labels) are shared and frozen: copy before changing.
   */
  next(): WireEvent;
  take(n: number): WireEvent[];
  stats(): SimulatorStats;
}

type Draft = { readonly event: WireEvent; readonly labels: Labels; readonly ts?: number; readonly withoutBalance?: boolean };

/** Shared by every normal event, frozen so that no consumer can turn one into a pattern. */
const NO_PATTERNS: string[] = [];
Object.freeze(NO_PATTERNS);
const NORMAL_LABELS: Labels = Object.freeze({ patterns: NO_PATTERNS, fraud: false, aml: false, credit: false });
/** While the first customers are introduced, one event in this many is an introduction. */
const BOOTSTRAP_EVERY = 3;
const BOOTSTRAP_CUSTOMERS = 1_000;
/** Afterwards a trickle of introductions keeps the dormant pool and account histories fresh. */
const TRICKLE_EVERY = 200;
const TRICKLE_DORMANT_SHARE = 0.3;
/** An opening pattern that cannot start yet (no dormant customer introduced so far) waits; after this many empty slots the opening ends. */
const OPENING_MAX_MISSES = 12;

export function createSimulator(opts: SimulatorOptions): Simulator {
  return new SimulatorImpl(opts);
}

class SimulatorImpl implements Simulator {
  readonly world: WorldSummary;
  private readonly _world: World;
  private readonly _rng: Rng;
  private readonly _idRng: Rng;
  /** The senders' balances: a stream of its own, so that they change no other draw. */
  private readonly _balanceRng: Rng;
  /** Location error on the reported `geo` (`location-error.ts`): a stream of its own as well. */
  private readonly _geoRng: Rng;
  private readonly _seed: number;
  private readonly _time: Timing;
  private _step: number;
  private _rate: number;
  private readonly _patternRate: number;
  private readonly _loanRate: number;
  private readonly _episodeRate: number;
  private readonly _episodes: Record<string, number> = {};
  private readonly _troubledLoanShare: number;
  /** Enabled patterns dealt from the deck at `patternRate` (fraud and AML), and those that come with loans (credit). */
  private readonly _dealt: readonly PatternName[];
  private readonly _credit: readonly PatternName[];
  private readonly _bootstrapIntros: number;
  private readonly _agenda = new Agenda();
  private readonly _ready: Draft[] = [];
  private readonly _deck: PatternName[] = [];
  private readonly _enabled: readonly PatternName[];
  private readonly _started: Record<string, number> = {};
  private readonly _formatter = new TimestampFormatter();
  private _now: number;
  private _emitted = 0;
  private _seq = 0;
  private _scenarios = 0;
  private _intros = 0;
  /** Patterns still to open the stream with, in order; the next is due at _openingAt (event time). */
  private readonly _opening: PatternName[];
  private readonly _openingEveryMs: number;
  private _openingAt: number;
  private _openingMisses = 0;

  constructor(opts: SimulatorOptions) {
    const seed = opts.seed | 0;
    const startTs = opts.startTs ?? Date.now();
    const rate = opts.rate ?? 1000;
    if (!(rate > 0)) throw new RangeError('rate must be positive');
    const timeScale = opts.timeScale ?? 1440;
    const loanTimeScale = opts.loanTimeScale ?? 43_200;
    this._patternRate = opts.patternRate ?? 0.002;
    this._loanRate = opts.loanRate ?? 0.001;
    this._troubledLoanShare = opts.troubledLoanShare ?? 0.015;
    this._episodeRate = opts.episodeRate ?? 0.003;
    const chances = [this._patternRate, this._loanRate, this._troubledLoanShare, this._episodeRate];
    if (!chances.every((p) => p >= 0 && p <= 1)) {
      throw new RangeError('patternRate, loanRate, troubledLoanShare and episodeRate are chances, between 0 and 1');
    }
    this._enabled = [...(opts.patterns ?? PATTERN_NAMES)];
    const unknown = this._enabled.filter((name) => !PATTERNS.has(name));
    if (unknown.length > 0) throw new RangeError(`unknown patterns: ${unknown.join(', ')}; known: ${PATTERN_NAMES.join(', ')}`);
    this._credit = this._enabled.filter((name) => PATTERNS.get(name)?.credit === true);
    this._dealt = this._enabled.filter((name) => PATTERNS.get(name)?.credit !== true);
    this._world = new World({ seed, startTs, customers: opts.customers ?? 20_000, merchants: opts.merchants ?? 5_000 });
    this._rng = Rng.of(seed, 0x7a);
    this._idRng = Rng.of(seed, 0x1d);
    this._balanceRng = Rng.of(seed, 0xba1);
    this._geoRng = Rng.of(seed, 0x6e0);
    this._seed = seed;
    this._time = timing(timeScale, loanTimeScale);
    this._rate = rate;
    this._step = 1000 / rate;
    this._now = startTs - this._step;
    this._bootstrapIntros = Math.min(BOOTSTRAP_CUSTOMERS, Math.floor(this._world.size / 10));
    this._openingEveryMs = opts.openingEveryMs ?? 0;
    if (!(this._openingEveryMs >= 0 && Number.isFinite(this._openingEveryMs))) throw new RangeError('openingEveryMs must be 0 (no opening) or a positive number of ms');
    // Fraud first (stable sort: otherwise in PATTERN_NAMES order), so that the opening's first alerts come from patterns the starter rules know.
    const fraudFirst = (name: PatternName): number => (PATTERNS.get(name)?.fraud ? 0 : 1);
    this._opening = this._openingEveryMs > 0 ? [...this._enabled].sort((a, b) => fraudFirst(a) - fraudFirst(b)) : [];
    this._openingAt = startTs + this._openingEveryMs;
    this.world = Object.freeze({
      seed,
      startTs,
      customers: this._world.size,
      merchants: this._world.merchants.length,
      patternRate: this._patternRate,
      loanRate: this._loanRate,
      episodeRate: this._episodeRate,
      troubledLoanShare: this._troubledLoanShare,
      timeScale,
      loanTimeScale,
      patterns: Object.freeze([...this._enabled]),
      openingEveryMs: this._openingEveryMs,
    });
  }

  get rate(): number {
    return this._rate;
  }

  setRate(rate: number): void {
    if (!(rate > 0)) throw new RangeError('rate must be positive');
    this._rate = rate;
    this._step = 1000 / rate;
  }

  next(): WireEvent {
    this._now += this._step;
    for (;;) {
      const draft = this._pull();
      const missing = this._unintroduced(draft.event);
      if (missing === undefined) return this._finish(draft);
      this._introduce(missing, false, draft);
    }
  }

  take(n: number): WireEvent[] {
    const out = new Array<WireEvent>(n);
    for (let i = 0; i < n; i++) out[i] = this.next();
    return out;
  }

  stats(): SimulatorStats {
    return {
      emitted: this._emitted,
      now: Math.floor(this._now),
      scenariosStarted: { ...this._started },
      episodesStarted: { ...this._episodes },
      scheduled: this._agenda.size,
    };
  }

  private _pull(): Draft {
    const ready = this._ready.shift();
    if (ready !== undefined) return ready;
    if (this._opening.length > 0 && this._now >= this._openingAt) this._openScenario();
    if (this._agenda.peekAt() <= this._now) return this._fromAgenda();
    if (this._introductionDue()) {
      const index = this._nextIntroduction();
      if (index !== undefined) {
        this._introduce(index, true, undefined);
        return this._ready.shift() as Draft;
      }
    }
    const rng = this._rng;
    if (this._dealt.length > 0 && rng.chance(this._patternRate)) this._startScenario();
    if (rng.chance(this._loanRate)) this._startLoan();
    if (rng.chance(this._episodeRate)) this._startEpisode();
    if (this._agenda.peekAt() <= this._now) return this._fromAgenda();
    return { event: normalPayment(rng, this._world, this._now), labels: NORMAL_LABELS };
  }

  private _fromAgenda(): Draft {
    const item = this._agenda.pop();
    if (item === undefined) throw new Error('agenda empty');
    if (item.rest) this._schedule(item.rest, item.labels, item.at);
    return { event: item.event, labels: item.labels, withoutBalance: item.withoutBalance };
  }

  /** Queues the next step of a scenario; steps never go back in time. */
  private _schedule(steps: Iterator<ScenarioStep>, labels: Labels, notBefore: number): void {
    const step = steps.next();
    if (step.done) return;
    const { at, event, withoutBalance } = step.value;
    this._agenda.push({ at: Math.max(at, notBefore), seq: this._seq++, event, labels, rest: steps, withoutBalance });
  }

  private _context(): PatternContext {
    return { rng: this._rng, world: this._world, now: this._now, time: this._time };
  }

  private _startScenario(): void {
    for (let tries = 0; tries < this._dealt.length; tries++) {
      // A shuffled deck rather than independent draws: every pattern shows up once per round.
      if (this._deck.length === 0) this._deck.push(...this._rng.shuffle([...this._dealt]));
      if (this._startPattern(this._deck.pop() as PatternName)) return;
    }
  }

  /** An everyday look-alike (`episodes.ts`): scheduled like a scenario, with the normal labels. */
  private _startEpisode(): void {
    const episode = planEpisode(this._context());
    if (episode === undefined) return;
    this._episodes[episode.name] = (this._episodes[episode.name] ?? 0) + 1;
    this._schedule(episode.steps[Symbol.iterator](), NORMAL_LABELS, this._now);
  }

  /** The opening's next pattern that can start now; one that cannot (yet) keeps its place. */
  private _openScenario(): void {
    this._openingAt += this._openingEveryMs;
    for (let i = 0; i < this._opening.length; i++) {
      if (this._startPattern(this._opening[i] as PatternName)) {
        this._opening.splice(i, 1);
        return;
      }
    }
    if (++this._openingMisses >= OPENING_MAX_MISSES) this._opening.length = 0;
  }

  /** Plans and schedules one scenario of the pattern; false when it cannot start now. */
  private _startPattern(name: PatternName): boolean {
    const definition = PATTERNS.get(name);
    const steps = definition?.plan(this._context());
    if (!definition || steps === undefined) return false;
    const labels = this._scenarioLabels(name, definition);
    this._started[name] = (this._started[name] ?? 0) + 1;
    this._schedule(steps[Symbol.iterator](), labels, this._now);
    return true;
  }

  /**
   * A loan application: now and then an injected credit scenario (its own share of loans, not a
   * slot in the deck, which made about a third of all loans bad), otherwise an ordinary loan that
   * may still go bad on its own.
   */
  private _startLoan(): void {
    if (this._credit.length > 0 && this._rng.chance(this._troubledLoanShare)) {
      this._startPattern(this._rng.pick(this._credit));
      return;
    }
    const c = this._world.pickActive(this._rng);
    if (!this._world.claimBorrower(c.index)) return;
    const plan = planLoan(this._context(), c);
    let labels = NORMAL_LABELS;
    if (plan.outcome !== 'performing') {
      // A loan that goes bad on its own is ground truth too, under the same names.
      const name: PatternName = plan.outcome === 'default' ? 'loan_default' : 'missed_repayment';
      labels = this._scenarioLabels(name, { fraud: false, aml: false, credit: true });
      this._started[name] = (this._started[name] ?? 0) + 1;
    }
    this._schedule(plan.steps[Symbol.iterator](), labels, this._now);
  }

  /** One labels object per scenario, shared by its events and frozen like the normal one. */
  private _scenarioLabels(name: PatternName, truth: { readonly fraud: boolean; readonly aml: boolean; readonly credit: boolean }): Labels {
    const patterns = [name];
    Object.freeze(patterns);
    return Object.freeze({ patterns, fraud: truth.fraud, aml: truth.aml, credit: truth.credit, scenarioId: `s${this.world.seed}-${++this._scenarios}` });
  }

  private _introductionDue(): boolean {
    if (this._intros < this._bootstrapIntros) return this._emitted % BOOTSTRAP_EVERY === 0;
    return this._emitted % TRICKLE_EVERY === 0;
  }

  private _nextIntroduction(): number | undefined {
    const world = this._world;
    const rng = this._rng;
    const wantDormant = rng.chance(TRICKLE_DORMANT_SHARE);
    for (let tries = 0; tries < 400; tries++) {
      const index = rng.int(0, world.size - 1);
      if (world.isIntroduced(index)) continue;
      if (wantDormant && !world.isDormant(index) && tries < 399) continue;
      return index;
    }
    return undefined;
  }

  /** Queues the customer event (and, for up-front introductions, their past) ahead of `held`. */
  private _introduce(index: number, withHistory: boolean, held: Draft | undefined): void {
    const world = this._world;
    world.markIntroduced(index);
    this._intros++;
    const c = world.customer(index);
    const drafts: Draft[] = [{ event: customerEvent(c), labels: NORMAL_LABELS }];
    if (withHistory) {
      for (const past of pastPayments(this._rng, world, c, this._now)) drafts.push({ event: past.event, labels: NORMAL_LABELS, ts: past.ts });
    }
    if (held) drafts.push(held);
    this._ready.unshift(...drafts);
  }

  private _unintroduced(event: WireEvent): number | undefined {
    const world = this._world;
    if (event.kind === 'payment') {
      const d = customerIndexOf(event.debtor.customerId, world);
      if (d !== undefined && !world.isIntroduced(d)) return d;
      const c = customerIndexOf(event.creditor.customerId, world);
      if (c !== undefined && !world.isIntroduced(c)) return c;
      return undefined;
    }
    if (event.kind === 'customer') return undefined;
    const id = customerIndexOf(event.customerId, world);
    return id !== undefined && !world.isIntroduced(id) ? id : undefined;
  }

  private _finish(draft: Draft): WireEvent {
    const ts = draft.ts ?? Math.floor(this._now);
    const event = draft.event;
    event.id = eventId(ts, this._idRng);
    event.ts = this._formatter.format(ts);
    event.labels = draft.labels;
    if (event.kind === 'payment' && event.debtorBalance === undefined && draft.withoutBalance !== true) this._addBalance(event);
    // Where the payer is becomes where the bank is told they are, for every payment alike.
    if (event.kind === 'payment' && event.geo !== undefined) event.geo = reportedPlace(this._geoRng, this._seed, event.channel, event.geo, event.device?.ip);
    this._emitted++;
    return event;
  }

  /**
   * The sending bank's view of the payer's balance, on most payments from its own accounts: the
   * payment takes a share of it, log-normal around a twelfth (about one payment in three hundred
   * takes 95 % or more, as when a salary is spent down); one transfer in 250 empties the account
   * (`drainShare`). Patterns that empty an account set it themselves, with the same `drainShare`.
   */
  private _addBalance(event: PaymentEventWire): void {
    if (customerIndexOf(event.debtor.customerId, this._world) === undefined) return;
    const rng = this._balanceRng;
    if (!rng.chance(BALANCE_SHARE)) return;
    const amount = parseAmount(event.amount, event.currency);
    if (!amount.ok || amount.minor === 0) return;
    // Now and then a transfer moves the savings out and empties the account, as a takeover does.
    const share = event.type === 'transfer' && rng.chance(DRAINING_TRANSFERS) ? drainShare(rng) : Math.min(0.99, Math.exp(-2.5 + 0.9 * rng.normal()));
    event.debtorBalance = formatMinor(Math.ceil(amount.minor / share), event.currency);
  }
}

/** Ordinary transfers that empty the account (savings moved elsewhere, an account closed). */
const DRAINING_TRANSFERS = 0.004;

function customerIndexOf(customerId: string | undefined, world: World): number | undefined {
  return customerId === undefined ? undefined : world.indexOfCustomer(customerId);
}
