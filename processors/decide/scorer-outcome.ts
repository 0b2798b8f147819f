// What a scorer's outcome must be for decide() to pass it on: a well-formed outcome whose score,
// reasons and alert drafts the bus, the writer and the decisions and alerts tables accept
// (storage/writer/rows). Anything else becomes the scorer's `error` outcome with a safe reason,
// as a thrown scorer does: a decision or alert that storage refuses is dead-lettered, missing from
// the REST feed, the KPIs and GET /v1/decisions while the live feed showed it.
import { DOMAINS, SEVERITIES } from '../../core/contracts/index.js';
import type { AlertDraft, ScorerOutcome } from '../scoring.js';

/**
 * The typology of the alert decide() raises when a payment is held (review or block) because a
 * fraud scorer failed: the held payment must be in the alert feed, the only review queue the
 * dashboard has, and the scorer that failed raised nothing. Reserved: a scorer's draft of this
 * typology breaks the contract, so that the alert id `<eventId>~fraud~scorer_error` means one thing.
 */
export const SCORER_ERROR_TYPOLOGY = 'scorer_error';

/** Limits of the text fields, as storage's row mappers check them (characters: UTF-16 units). */
export const OUTCOME_LIMITS = Object.freeze({
  reasonCode: 128,
  reasonScorer: 128,
  reasonText: 2048,
  /** Storage takes 128; 64 (the rule-set schema's limit) keeps the alert id within its 256. */
  typology: 64,
});

/** snake_case, as rule sets require: no `~`, so the alert id `<eventId>~<domain>~<typology>` reads one way. */
const TYPOLOGY = /^[a-z][a-z0-9_]*$/;
const MAX_SCORE = 1000;
/** Error reasons longer than this are cut (they travel in decisions and logs). */
export const MAX_ERROR_REASON_LENGTH = 300;

/** Checks what a scorer returned; anything but a well-formed outcome becomes an error outcome. */
export function checkOutcome(name: string, value: unknown): ScorerOutcome {
  if (typeof value !== 'object' || value === null) return { status: 'error', reason: `${name} returned no outcome` };
  const outcome = value as ScorerOutcome;
  switch (outcome.status) {
    case 'not_applicable':
      return outcome;
    case 'error':
      return {
        status: 'error',
        reason: typeof outcome.reason === 'string' && outcome.reason !== '' ? outcome.reason.slice(0, MAX_ERROR_REASON_LENGTH) : `${name} failed`,
      };
    case 'scored':
      return checkScored(name, outcome);
    default:
      return { status: 'error', reason: `${name} returned an unknown status` };
  }
}

/**
 * A score as decisions and alerts carry it: rounded half up to an integer (Math.round, as the
 * fraud rules score is rounded), then 0–1000; undefined when it is not a finite number or lies
 * outside after rounding.
 */
export function integerScore(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const score = Math.round(value) + 0; // + 0 turns -0 (from -0.4) into 0
  return score >= 0 && score <= MAX_SCORE ? score : undefined;
}

type Scored = Extract<ScorerOutcome, { status: 'scored' }>;

function checkScored(name: string, outcome: Scored): ScorerOutcome {
  const score = integerScore(outcome.score);
  if (score === undefined) return { status: 'error', reason: `${name} returned a score outside 0–1000` };
  if (!Array.isArray(outcome.reasons)) return malformed(name, '/reasons must be a list');
  if (!Array.isArray(outcome.alerts)) return malformed(name, '/alerts must be a list');
  const problem = reasonsProblem(outcome.reasons, '/reasons');
  if (problem !== undefined) return malformed(name, problem);
  let alerts = outcome.alerts;
  for (let i = 0; i < alerts.length; i++) {
    const checked = checkAlert(alerts[i], `/alerts/${i}`, outcome.reasons);
    if (typeof checked === 'string') return malformed(name, checked);
    if (checked !== alerts[i]) {
      if (alerts === outcome.alerts) alerts = [...alerts];
      (alerts as AlertDraft[])[i] = checked;
    }
  }
  // The common case (integers throughout) keeps the scorer's object: no allocation per event.
  if (score === outcome.score && alerts === outcome.alerts) return outcome;
  return { status: 'scored', score, reasons: outcome.reasons, alerts };
}

/** The draft, with its score rounded when needed, or what is wrong with it (a JSON pointer and the rule). */
function checkAlert(value: unknown, path: string, checkedReasons: readonly unknown[]): AlertDraft | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${path} must be an object`;
  const draft = value as AlertDraft;
  if (!(DOMAINS as readonly unknown[]).includes(draft.domain)) return `${path}/domain must be one of ${DOMAINS.join(', ')}`;
  if (!(SEVERITIES as readonly unknown[]).includes(draft.severity)) return `${path}/severity must be one of ${SEVERITIES.join(', ')}`;
  const typology: unknown = draft.typology;
  if (typeof typology !== 'string' || typology.length > OUTCOME_LIMITS.typology || !TYPOLOGY.test(typology)) {
    return `${path}/typology must be snake_case of at most ${OUTCOME_LIMITS.typology} characters`;
  }
  if (typology === SCORER_ERROR_TYPOLOGY) return `${path}/typology ${SCORER_ERROR_TYPOLOGY} is reserved for decide()`;
  const score = integerScore(draft.score);
  if (score === undefined) return `${path}/score must be a number from 0 to 1000`;
  if (!Array.isArray(draft.reasons)) return `${path}/reasons must be a list`;
  // The fraud rules scorer hands its outcome's reasons to its alert: checked once.
  if (draft.reasons !== checkedReasons) {
    const problem = reasonsProblem(draft.reasons, `${path}/reasons`);
    if (problem !== undefined) return problem;
  }
  return score === draft.score ? draft : { ...draft, score };
}

function reasonsProblem(reasons: readonly unknown[], path: string): string | undefined {
  for (let i = 0; i < reasons.length; i++) {
    const problem = reasonProblem(reasons[i], `${path}/${i}`);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function reasonProblem(value: unknown, path: string): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${path} must be an object`;
  const r = value as Readonly<Record<string, unknown>>;
  if (!isText(r.code, OUTCOME_LIMITS.reasonCode) || r.code === '') return `${path}/code must be text of 1 to ${OUTCOME_LIMITS.reasonCode} characters`;
  if (!isText(r.scorer, OUTCOME_LIMITS.reasonScorer)) return `${path}/scorer must be text of at most ${OUTCOME_LIMITS.reasonScorer} characters`;
  if (typeof r.points !== 'number' || !Number.isFinite(r.points)) return `${path}/points must be a finite number`;
  if (!isText(r.text, OUTCOME_LIMITS.reasonText)) return `${path}/text must be text of at most ${OUTCOME_LIMITS.reasonText} characters`;
  if (r.texts !== undefined) {
    const texts = r.texts;
    // Never the language key in the message: it is the scorer's text, of any length.
    const bad = `${path}/texts must map languages to text of at most ${OUTCOME_LIMITS.reasonText} characters`;
    if (typeof texts !== 'object' || texts === null || Array.isArray(texts)) return bad;
    for (const language of Object.keys(texts)) if (!isText((texts as Record<string, unknown>)[language], OUTCOME_LIMITS.reasonText)) return bad;
  }
  return undefined;
}

function isText(value: unknown, maxLength: number): value is string {
  return typeof value === 'string' && value.length <= maxLength;
}

function malformed(name: string, problem: string): ScorerOutcome {
  return { status: 'error', reason: `${name} returned a malformed outcome: ${problem}` };
}
