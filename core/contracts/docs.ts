// Renders docs/events.md: the prose about the rules every event shares is written here by hand;
// the field tables come from the schemas themselves (schema-fields.ts) and the examples are
// validated while rendering, so the document cannot promise what the validators do not do.
// docs.test.ts compares the output with the committed file and rewrites it on UPDATE_DOCS=1.
import { loadConfig } from '../config.js';
import { minorUnitsOf } from '../money.js';
import { kindToken, names as namesOf, partitionOf } from '../names.js';
import { ENVELOPE_HEADER_ROOM, HEADER_BATCH, HEADER_RECORDS, HEADER_REPLIES, MAX_ENVELOPE_RECORDS } from '../envelope.js';
import { Labels } from './common.js';
import { EVENT_EXAMPLES, EXAMPLES_VALID_AT, type EventExample } from './examples.js';
import { EVENT_KINDS, EVENT_SCHEMAS, MONEY_FIELDS, type EventKind } from './kinds.js';
import {
  ALERT_FIELDS,
  DEAD_LETTER_FIELDS,
  DECISION_FIELDS,
  DECISION_LATENCY_FIELDS,
  EXAMPLE_ALERT,
  EXAMPLE_DEAD_LETTER,
  EXAMPLE_DECISION,
  REASON_FIELDS,
  type MessageFieldDoc,
} from './message-docs.js';
import { fieldRowsOf, type FieldRow } from './schema-fields.js';
import { validateEvent, type FieldError } from './validate.js';

export type KindGuide = {
  readonly summary: string;
  /** Dotted paths; the first one present in the event is its partition key (see validate.ts). */
  readonly partitionKey: readonly string[];
  readonly notes?: readonly string[];
};

export const KIND_GUIDES: { readonly [K in EventKind]: KindGuide } = {
  payment: {
    summary:
      "Money moving from the debtor's account to the creditor's: card purchases, transfers, remittances, cash deposits and withdrawals, bills, cheques and e-wallet transfers. Every payment gets a fraud decision (allow, review or block) and is checked for AML typologies, which raise alerts but never change the action.",
    partitionKey: ['debtor.accountId'],
    notes: [
      "Cash has no counterparty account: send the customer's own account as both debtor and creditor and let `type` (`cash_deposit`, `cash_withdrawal`) say which way the cash went: a deposit is counted as money into the account only, a withdrawal as money out only (docs/features.md). Velocity and structuring features then key on the customer's account. The simulator does the same.",
      "Card payments: `creditor` is the merchant's account and `merchant` describes the acceptor. Send the BIN and the last four digits only, never the full card number.",
    ],
  },
  customer: {
    summary:
      'The KYC profile of a customer, sent at onboarding and whenever it changes. Send the whole profile each time, not a patch. The processors keep the profile with the latest `ts` per `customerId`, whatever order events arrive in (of two with the same `ts`, the one whose `id` sorts last as text: `cust-1-v9` after `cust-1-v10`, so give each version its own `ts`; another copy of an event already applied, same `id`, changes nothing whatever it holds), and apply it to every later event of that customer: the segment picks the fraud thresholds, and risk rating, PEP status and country feed the features.',
    partitionKey: ['customerId'],
  },
  'loan.application': {
    summary: 'A credit application, for credit-risk scoring when it arrives. Every money field is in `currency`. No credit scorer ships yet: loan and collateral events are validated, stored, counted and carried to the credit view, and decided `allow` with no model (`models` empty), which means *not scored*, not *approved*; the credit work adds the scoring.',
    partitionKey: ['customerId'],
  },
  'loan.disbursement': {
    summary: 'A loan paid out. It opens the loan in the portfolio, against whose terms later repayments and missed payments are to be measured. No credit scorer ships yet: loan and collateral events are validated, stored, counted and carried to the credit view, and decided `allow` with no model (`models` empty), which means *not scored*, not *approved*; the credit work adds the scoring.',
    partitionKey: ['customerId'],
  },
  'loan.repayment': {
    summary: 'A payment received on a loan: one instalment, or part of one.',
    partitionKey: ['customerId'],
  },
  'loan.missed_payment': {
    summary:
      'An instalment that fell due and was not paid. The loan system sends it when the due date passes and again as the arrears age. `daysPastDue` is what portfolio monitoring reads for the days-past-due bucket, the classification and the IFRS 9 stage of the loan. No credit scorer ships yet: loan and collateral events are validated, stored, counted and carried to the credit view, and decided `allow` with no model (`models` empty), which means *not scored*, not *approved*; the credit work adds the scoring.',
    partitionKey: ['customerId'],
  },
  'collateral.valuation': {
    summary: 'A new value for a collateral item (an appraisal or an index update), for the loan-to-value ratio of the loan it secures. No credit scorer ships yet: loan and collateral events are validated, stored, counted and carried to the credit view, and decided `allow` with no model (`models` empty), which means *not scored*, not *approved*; the credit work adds the scoring.',
    partitionKey: ['loanId', 'customerId', 'collateralId'],
  },
};

/** The defaults of core/config.ts (namespace, partitions), so that the example subjects are the real ones. */
const DEFAULTS = loadConfig({});
const NAMES = namesOf(DEFAULTS.namespace);

export function renderEventsDoc(): string {
  return [
    header(),
    envelopeSection(),
    moneySection(),
    labelsSection(),
    busSection(),
    validationSection(),
    ...EVENT_KINDS.map(kindSection),
    outputsSection(),
  ].join('\n\n') + '\n';
}

function header(): string {
  const kinds = EVENT_KINDS.map((k) => `[\`${k}\`](#${slug(`kind ${k}`)})`).join(', ');
  return `# Event contracts (version 1)

<!-- Generated by core/contracts/docs.ts from the schemas in core/contracts/. Do not edit by hand:
     change the schemas (descriptions included) or the generator, then run
     UPDATE_DOCS=1 npx vitest run core/contracts/docs.test.ts -->

Every event that enters riskstream is one JSON object checked against the contract of its kind,
whichever way it comes in: \`POST /v1/events\`, \`POST /v1/events:batch\`, the simulator, a replay,
or published straight onto NATS. This page lists every field of every contract, the rules all of
them share, and the messages the processors publish in return. Error codes and the shape of error
answers are in [errors.md](errors.md).

- [The envelope](#the-envelope) · [Money](#money) · [Labels](#labels-ground-truth) ·
  [Subjects, partitions and ids](#subjects-partitions-and-ids) · [Validation](#validation)
- Kinds: ${kinds}
- What comes back: [decisions](#decisions), [alerts](#alerts), [dead letters](#dead-letters)`;
}

function envelopeSection(): string {
  return `## The envelope

Every event, of every kind, has these fields:

| field | |
|---|---|
| \`v\` | The contract version: \`1\`. Any other value is refused (rule \`const\`). |
| \`kind\` | One of ${EVENT_KINDS.map((k) => `\`${k}\``).join(', ')}. It selects the contract for the rest of the event; an unknown kind is refused with the list of kinds. |
| \`id\` | The event's unique id: 1 to 128 characters, letters, digits and \`. _ : @ -\`, starting with a letter or digit. Optional over HTTP, where the gateway assigns a random UUID and returns it; required on the bus. It is the JetStream \`Nats-Msg-Id\` and the dedup key in storage (see [below](#subjects-partitions-and-ids)). |
| \`ts\` | Event time: when the event happened at its source, not when riskstream received it. RFC 3339 with a zone (\`2026-11-29T10:15:00.000Z\`, or an offset with its colon, \`+01:00\`; \`+0100\` is refused); milliseconds are kept; a leap second (\`23:59:60Z\`) is read as the millisecond before it. Refused when before 2000-01-01 or more than 24 hours ahead of the receiver's clock (rule \`range\`), which catches seconds sent as milliseconds and clocks set wrong. Late events are accepted. Velocity windows and every other time-based feature use \`ts\`, so a late event counts in the window it belongs to. |
| \`labels\` | Optional ground truth from the simulator. Never read by scorers: see [Labels](#labels-ground-truth). |

Objects are closed. A field that is not in the contract is refused (rule \`unknown_field\`), not
ignored, so a misspelt field (\`ammount\`) fails loudly instead of passing without its value.
A field named twice in one object (\`"amount":"99999.00","amount":"10.00"\`) is refused too (rule
\`duplicate_key\`, on HTTP and on the bus): JSON parsers disagree on which copy wins, so a check in
front of riskstream could read one amount and riskstream another. So is a string holding a lone
UTF-16 surrogate (\`"A\\ud800B"\`, rule \`unicode\`): on its way to UTF-8 it would become U+FFFD, and
two different ids one account.

**Choose ids that are stable for the business event**, such as the payment system's transaction
reference, never a fresh random id per attempt. Then re-sending after a timeout is always safe:
the same id sent again over HTTP within the stream's duplicate window (2 minutes) is not put on
the bus again and the answer says \`"status": "duplicate"\`; after that window the processors still recognise the id
for \`RISKSTREAM_DEDUP_TTL_SECONDS\` (30 minutes by default) and do not count it twice in any
feature, the gateway answers \`duplicate\` once they have applied the first copy
([errors.md](errors.md#what-succeeds-looks-like)), and storage deduplicates on it.`;
}

function moneySection(): string {
  const kindsWithMoney = EVENT_KINDS.filter((k) => MONEY_FIELDS[k].length > 0)
    .map((k) => `| \`${k}\` | ${MONEY_FIELDS[k].map((f) => `\`${f}\``).join(', ')} |`)
    .join('\n');
  const currencies = ['USD', 'EUR', 'GBP', 'JPY', 'KRW', 'BHD', 'KWD']
    .map((c) => `| \`${c}\` | ${minorUnitsOf(c)} | \`${exampleAmount(minorUnitsOf(c))}\` |`)
    .join('\n');
  return `## Money

Money is never a floating-point number anywhere in riskstream.

- **Amounts are JSON strings** holding a non-negative decimal number in major units: \`"1250.00"\`,
  \`"12.5"\`, \`"100"\`. A JSON number (\`1250.5\`) is refused (rule \`type\`): binary floating point
  cannot hold most cents exactly, and a client's rounding must not become ours.
- **No sign, exponent, separator or leading zero**: \`"-5.00"\`, \`"+5"\`, \`"1e3"\`, \`"1,250.00"\`,
  \`"01.00"\` and \`" 5"\` are refused (rule \`pattern\`). There are no negative amounts: money moving the
  other way is a payment with debtor and creditor swapped.
- **At most as many decimals as the currency has** (its ISO 4217 minor unit): \`"1.234"\` in USD or
  \`"100.5"\` in JPY is refused (rule \`amount_scale\`). Fewer decimals are fine: \`"12.5"\` USD is 1250 cents.
- **The currency is an ISO 4217 code in use**, from \`core/reference/iso4217.csv\`: withdrawn codes
  (\`DEM\`), fund and metal codes without a minor unit, and made-up codes are refused (rule \`currency\`).
- **At most 2^53 − 1 minor units** (rule \`amount_range\`), far above any real payment.
- **One currency per event**: every money field of an event is in its \`currency\` field.

| currency | decimals | an amount using them all |
|---|---|---|
${currencies}

Money fields per kind:

| kind | money fields (all in \`currency\`) |
|---|---|
${kindsWithMoney}

Inside riskstream each money field is converted once, at validation, into integer minor units of
its currency (\`"1250.00"\` USD becomes \`125000\`). Decisions and alerts carry \`amountMinor\` and
\`currency\`; features compare amounts across currencies in USD cents (\`core/fx.ts\`); ClickHouse
stores money as \`Decimal\`.`;
}

function exampleAmount(decimals: number): string {
  return decimals === 0 ? '1250' : `1250.${'0'.repeat(decimals - 1)}5`;
}

function labelsSection(): string {
  const rows = fieldRowsOf(Labels).map((r) => ({ ...r, path: `labels.${r.path}` }));
  return `## Labels (ground truth)

\`labels\` says which planted pattern an event belongs to. The simulator sets it (and so may a
labelled replay) so that detection can be measured: precision and recall per pattern, time to
detect. Clients sending real traffic leave it out.

It is kept apart from the event's own data on purpose. Validation splits it off, the scorers
receive the event without it (so no score can depend on it), and it travels on the bus and into
the decision only so that detection can be compared with the truth downstream.

${fieldTable(rows)}`;
}

function busSection(): string {
  const keys = EVENT_KINDS.map((k) => {
    const guide = KIND_GUIDES[k];
    const key = guide.partitionKey.map((p) => `\`${p}\``).join(', else ');
    return `| \`${k}\` | \`${kindToken(k)}\` | ${key} |`;
  }).join('\n');
  const example = EVENT_EXAMPLES.payment[0]!.event;
  const exampleKey = example.debtor.accountId;
  const ns = NAMES.namespace;
  return `## Subjects, partitions and ids

Each event is published on stream \`<NS>_EVENTS\` under the subject

    <ns>.ev.<kind_token>.<partition>

- \`<ns>\` is the namespace, \`RISKSTREAM_NAMESPACE\` (default \`${ns}\`); stream names use it in
  upper case (\`${NAMES.streams.events}\`). Tests and tenants run side by side under their own namespaces.
- \`<kind_token>\` is the kind with dots replaced by underscores, because a dot separates subject tokens.
- \`<partition>\` is the 32-bit FNV-1a hash of the event's partition key, modulo
  \`RISKSTREAM_PARTITIONS\` (default ${DEFAULTS.partitions}); see \`partitionOf\` in \`core/names.ts\`. The same key
  always lands on the same subject. For example \`debtor.accountId\` \`"${exampleKey}"\` gives
  \`${NAMES.eventSubject('payment', partitionOf(exampleKey, DEFAULTS.partitions))}\`. Every process must use the same number of partitions.

| kind | kind_token | partition key (first present) |
|---|---|---|
${keys}

A publisher written in another language computes the partition like this. The hash runs over
UTF-16 code units, which are the bytes for ASCII keys:

\`\`\`js
function partitionOf(key, partitions) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
\`\`\`

Headers of an event message:

| header | |
|---|---|
| \`Nats-Msg-Id\` | The event \`id\`. JetStream stores a second message with the same id only after the duplicate window (2 minutes); the processors and storage deduplicate beyond it. |
| \`Rs-Ingest-Ts\` | When the gateway or publisher accepted the event, epoch ms. Decisions report latency from it. A value that is not whole epoch ms from 2000 to 2100 is read as none. riskstream's own producers stamp it after the event passed its contract, and storage then checks the event's structure only (docs/storage.md); another producer may leave it out, and its events are held to the whole contract by storage as by the processors — one that sets it vouches that its events pass the contract. |
| \`Rs-Reply\` | Set by the gateway for \`?wait=decision\`: the inbox where the processor sends the decision as soon as it is made (or \`{"duplicate":true}\` when it decided the event before, from an earlier copy). Internal. |
| \`${HEADER_REPLIES}\` | The same for an envelope: \`<line>:<inbox>\` for each waiting event, separated by spaces (line 0 is the first). Internal. |

### Envelopes: many events in one message

NATS spends about the same per message whatever its size, and at thousands of events a second
the per-message work (storing, delivering, acknowledging) is most of the bus's cost. A producer
that sends many events may therefore put several in one message, an **envelope**:

- The payload is newline-delimited JSON: one event per line, each exactly as it would be sent alone.
- The header \`${HEADER_BATCH}\` gives the number of lines (1 to ${MAX_ENVELOPE_RECORDS}). A message without it is one event.
- A message, headers included, must fit the NATS server's \`max_payload\` (1 MiB by default): the
  product's own producers (the HTTP gateway, the simulator, \`replay\`, \`bench\`) close an envelope
  before an event would take it past that limit less ${ENVELOPE_HEADER_ROOM / 1024} KiB kept for headers, whatever the count.
- Every event in an envelope has the envelope's kind and partition (its subject), so an envelope
  only groups events that would have gone to the same subject anyway.
- \`Nats-Msg-Id\` is the producer's id for the envelope, unique per producer (for example
  \`<producer>:<counter>\`): a retried envelope is dropped by JetStream within its window.
  \`Rs-Ingest-Ts\` is when the envelope was sent.
- Each event is validated on its own. A bad line goes to the dead-letter stream alone, its reason
  starting \`record <i> of <n> in the envelope:\`; the other lines are decided.
- The processors answer an envelope with a decision envelope on \`<ns>.dec.<kind_token>\`
  (same header, one decision per line, in the order of the events decided), in parts: part k holds
  the decisions of records 64k to 64k + 63 (at most 64; a part whose records were all refused or
  duplicates is not sent). The \`Nats-Msg-Id\` of part 0 is \`dec:<events stream>:<sequence of the input>\`,
  of the next ones \`…:<part>\` (1, 2, …), so a redelivered envelope's decisions are dropped as
  duplicates. Its header \`${HEADER_RECORDS}\` lists the records whose decisions it holds (their
  places in the input, space-separated): a redelivery that finds the part stored publishes alone the
  decision of a record decided now that the stored part did not hold. A part too large for the server's payload limit goes out as single decisions with
  their event ids. Alerts stay one message each.
- JetStream's duplicate check sees envelope ids, not event ids, so an event re-sent in another
  envelope reaches the processors again. They recognise it: the feature store remembers, per event
  id and for \`RISKSTREAM_DEDUP_TTL_SECONDS\` (30 minutes by default), where the event was first read
  (stream sequence and place in the envelope). A copy read from anywhere else is not decided
  again and publishes nothing; it is counted in \`rs_duplicate_events_total\`, and storage keeps one
  row per id. A producer that retries should still resend the same envelope: JetStream drops that
  before it costs anything.

\`EnvelopePublisher\` (\`core/envelope-publisher.ts\`) groups events per subject with a short linger
(\`riskstream bench --envelope 64 --linger 2\` drives the system that way).

**The HTTP gateway groups too** (\`ingest/gateway-envelopes.ts\`; \`RISKSTREAM_INGEST_ENVELOPE\`, 64 by
default, 1 turns it off). Per kind, what requests hand in while nothing of that kind is on its way
to JetStream leaves at the end of that turn of the event loop; while a message is on its way, new
events wait for its acknowledgement (at most 5 ms) and leave together in an envelope on the kind's
\`mixed\` subject. A lone event still leaves alone, on its partition's subject under its own id. So
a quiet gateway adds no wait and a busy one sends fewer, fuller messages. A linger
(\`RISKSTREAM_INGEST_LINGER_MS\`, 2 ms by default) fills them further: a kind leaves in at most one
message per linger unless the message is full, so an event that arrives within 2 ms of its kind's
previous message waits for the rest of those 2 ms (an event after a quieter spell leaves at once).
The answer to each request still comes only once JetStream has stored its event. For the \`duplicate\` answer the
gateway claims each stored event id in Redis (\`<prefix>{i:<id>}\`, the stream sequence, kept for
the duplicate window), and beyond the window reads the processors' marker of the event's first
application (its origin, in the same round trip; a marker released by a failed decision does not
count): an id claimed or applied before is answered \`duplicate\` with the first copy's sequence and
left out of the next envelope. A lone event is not looked up first (JetStream drops a copy sent
alone under the same id within the window); a lone copy of an event that first went in an
envelope, or that comes after the window, reaches the bus once more and is answered \`duplicate\`,
as is one of two copies sent at the same instant. Either way the
processors decide the event once. If Redis cannot be asked, events are sent and answered
\`accepted\` (a warning is logged at most once a minute); the processors still decide each once.

A message on the bus goes through the same validation as an HTTP request. A message that fails
is not dropped and not retried forever: it goes to the dead-letter stream with its reason (see
[dead letters](#dead-letters)). So does a message whose \`kind\` does not match its subject.

The streams of a namespace (\`<NS>\` and \`<ns>\` as above):

| stream | subject | message | \`Nats-Msg-Id\` | kept |
|---|---|---|---|---|
| \`<NS>_EVENTS\` | \`<ns>.ev.<kind_token>.<partition>\` | an event | event \`id\` | 72 hours by default |
| \`<NS>_DECISIONS\` | \`<ns>.dec.<kind_token>\` | [decision](#decisions), one per event (envelopes of up to 64 for an input envelope) | \`eventId\` (\`dec:<stream>:<seq>[:<part>]\` for an envelope) | 72 hours by default |
| \`<NS>_ALERTS\` | \`<ns>.alert.<domain>\` | [alert](#alerts), zero or more per event | alert \`id\` | at least 30 days |
| \`<NS>_DLQ\` | \`<ns>.dlq.<source>\` | [dead letter](#dead-letters) | source, stream and sequence of the refused message | at least 30 days |

Delivery is at least once: a processor acknowledges an event only after JetStream has stored its
decision and alerts. A redelivered message may therefore be decided twice; the fixed message ids above
make the copies duplicates that JetStream drops within its window, and consumers are idempotent
by id beyond it. An event sent again in another message (a single event re-sent after JetStream's
two-minute window, or in another envelope) is not decided again while the feature store remembers
it (\`RISKSTREAM_DEDUP_TTL_SECONDS\`); a caller waiting with \`?wait=decision\` gets the stored decision.`;
}

function validationSection(): string {
  const bad = { ...EVENT_EXAMPLES.payment[0]!.event, amount: 1250.5, currency: 'usd', colour: 'red' };
  const { accountId: _accountId, ...debtorWithoutAccount } = bad.debtor;
  const result = validateEvent({ ...bad, debtor: debtorWithoutAccount }, undefined, EXAMPLES_VALID_AT);
  const errors: readonly FieldError[] = result.ok ? [] : result.errors;
  if (errors.length === 0) throw new Error('docs: the refusal example was accepted; fix validationSection');
  return `## Validation

An invalid event never crashes anything. Over HTTP it is refused with \`400\` and code
\`RS_ERR_INGEST_SCHEMA\`, and \`error.details.errors\` lists each problem (at most 20): \`path\` is a
JSON pointer into the event, \`rule\` says which rule failed, \`message\` says it in words. In a batch,
each refused line carries the same list. On the bus, the message goes to the dead-letter stream
with code \`RS_ERR_BUS_SCHEMA\`.

A payment with a number for \`amount\`, a lower-case currency, no debtor account and an unknown
field gets these errors:

\`\`\`json
${JSON.stringify(errors, null, 2)}
\`\`\`

| rule | meaning |
|---|---|
| \`required\` | A required field is missing. |
| \`unknown_field\` | A field that is not in the contract. |
| \`duplicate_key\` | A field named more than once in the same object. |
| \`unicode\` | A string (or a field name) holding a lone UTF-16 surrogate escape. |
| \`depth\` | JSON nested more than 32 levels deep (no event nests more than a few). |
| \`type\` | The wrong JSON type: a number where a string is expected, or an object where there should be a list. |
| \`const\` | \`v\` is not 1. |
| \`enum\` | A value outside its closed list (\`kind\`, \`type\`, \`channel\`, …); the message lists the allowed values. |
| \`pattern\` | A string of the wrong form: an amount, a currency or country code, a BIC, an id, a reference (an account, customer or loan id) with a space at either end or a control character. |
| \`format\` | Not a valid RFC 3339 date-time or date, or IP address. |
| \`minimum\`, \`maximum\` | A number out of range. |
| \`minLength\`, \`maxLength\`, \`maxItems\` | A string or a list too short or too long. |
| \`range\` | \`ts\` before 2000 or more than 24 hours ahead; a \`dateOfBirth\` after the event's \`ts\`, an \`onboardedAt\` more than 24 hours after it; any date before 1900 or after 2199. |
| \`currency\` | A currency that is not an ISO 4217 code in use. |
| \`fx_rate\` | A currency riskstream has no USD rate for: amounts are valued in USD for features, limits and totals, and a guessed rate would misvalue them. The defaults cover about 45 currencies (\`core/fx.ts\`); the operator adds others with \`RISKSTREAM_FX_RATES\`. |
| \`country\` | Two capital letters that are not an ISO 3166-1 alpha-2 code (\`UK\`, \`XX\`); \`XK\` (Kosovo, by common use) is accepted. |
| \`amount_scale\` | More decimals than the currency has. |
| \`amount_range\` | An amount above 2^53 − 1 minor units. |
| \`amount_format\` | An amount that is not a decimal string (normally caught first as \`pattern\`). |

The field tables below give, per field, its JSON type, whether it is required, and the rules
beyond its type. A field marked "with \`merchant\`" is required whenever its optional parent
\`merchant\` is sent.`;
}

function kindSection(kind: EventKind): string {
  const guide = KIND_GUIDES[kind];
  const money = new Set(MONEY_FIELDS[kind]);
  const extraRule: Record<string, string> = {};
  for (const field of money) extraRule[field] = 'money in `currency`, see [Money](#money)';
  const rows = fieldRowsOf(EVENT_SCHEMAS[kind], { last: ['labels'], extraRule });
  const examples = (EVENT_EXAMPLES[kind] as readonly EventExample[]).map(exampleBlock).join('\n\n');
  const notes = guide.notes ? '\n\n' + guide.notes.map((n) => `- ${n}`).join('\n') : '';
  return `## Kind \`${kind}\`

${guide.summary}${notes}

Subject \`${NAMES.namespace}.ev.${kindToken(kind)}.<partition>\`, partitioned by ${guide.partitionKey.map((p) => `\`${p}\``).join(', else ')}.

${fieldTable(rows)}

${examples}`;
}

/** Renders an example with its subject; throws when the example is not a valid event, so a broken example cannot be published. */
function exampleBlock(example: EventExample): string {
  const result = validateEvent(example.event, undefined, EXAMPLES_VALID_AT);
  if (!result.ok) {
    throw new Error(`docs: the example "${example.title}" is not valid: ${JSON.stringify(result.errors)}`);
  }
  const subject = NAMES.eventSubject(result.event.kind, partitionOf(result.event.partitionKey, DEFAULTS.partitions));
  return `Example: ${example.title} (subject \`${subject}\`).

\`\`\`json
${JSON.stringify(example.event, null, 2)}
\`\`\``;
}

function outputsSection(): string {
  return `## Decisions

One decision per event, of every kind, on \`<ns>.dec.<kind_token>\`. A client that posted with
\`?wait=decision\` gets it in the HTTP answer when it comes within \`timeoutMs\`; otherwise
\`GET /v1/decisions/:eventId\` reads it from storage. Times are epoch milliseconds, money is in integer minor units.

${messageTable(DECISION_FIELDS, { latencyMs: DECISION_LATENCY_FIELDS })}

A reason (\`reasons[]\`, also in alerts):

${messageTable(REASON_FIELDS)}

Example, the decision for the first payment example (illustrative numbers):

\`\`\`json
${JSON.stringify(EXAMPLE_DECISION, null, 2)}
\`\`\`

## Alerts

Zero or more per event, on \`<ns>.alert.<domain>\`: the fraud, AML and credit findings that need a
person. The dashboard shows them live (case work on AML alerts is not built yet). An AML
alert never changes the decision's action.

${messageTable(ALERT_FIELDS)}

Example:

\`\`\`json
${JSON.stringify(EXAMPLE_ALERT, null, 2)}
\`\`\`

## Dead letters

A message that cannot be processed is acknowledged and filed on \`<ns>.dlq.<source>\` with its
reason, so that it neither blocks the stream nor disappears. Fix the cause and send the corrected
event again. If it keeps its id, send it after the 2-minute duplicate window, or JetStream drops
it as a duplicate of the refused copy.

${messageTable(DEAD_LETTER_FIELDS)}

Example:

\`\`\`json
${JSON.stringify(EXAMPLE_DEAD_LETTER, null, 2)}
\`\`\``;
}

function fieldTable(rows: readonly FieldRow[]): string {
  const lines = rows.map((r) => `| \`${r.path}\` | ${cell(r.type)} | ${cell(r.required)} | ${cell(r.rule)} | ${cell(r.description)} |`);
  return ['| field | type | required | rule | description |', '|---|---|---|---|---|', ...lines].join('\n');
}

type MessageFields = Readonly<Record<string, MessageFieldDoc>>;

/** `nested` documents the members of an object field, listed right under it (`latencyMs.total`). */
function messageTable(fields: MessageFields, nested: Readonly<Record<string, MessageFields>> = {}): string {
  const lines = ['| field | type | description |', '|---|---|---|'];
  for (const [name, doc] of Object.entries(fields)) {
    lines.push(messageRow(name, doc));
    for (const [member, memberDoc] of Object.entries(nested[name] ?? {})) lines.push(messageRow(`${name}.${member}`, memberDoc));
  }
  return lines.join('\n');
}

function messageRow(path: string, doc: MessageFieldDoc): string {
  return `| \`${path}\` | ${cell(doc.type)} | ${cell(doc.description)} |`;
}

/** Table cells cannot hold a raw pipe (not even inside code spans) or a line break. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

/** The anchor GitHub gives a heading. */
function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}
