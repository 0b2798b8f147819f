// The Lua scripts that update and read the feature state, one call per account side of an
// event. Generated here from window-layout.ts and reply-layout.ts, and kept as TypeScript
// strings so that the compiled dist/ needs no extra files. Each script touches the keys of ONE
// account (one hash tag). They are written for speed, because Lua time is most of the cost of
// a payment in Redis: the four rings are unrolled into locals, values are binary (struct),
// field names come from a table rather than number formatting, and Redis is called as few
// times as the features allow.
import { LINK_SEPARATOR, PROFILE_ACCOUNTS_FIELD, RELEASED_ORIGIN } from '../../core/feature-keys.js';
import { ACCOUNT, IN_ARGS, IN_REPLY, OUT_ARGS, OUT_PRESENT, OUT_REPLY, SLOT, TOTALS } from './reply-layout.js';
import { DISTINCT_SPANS_MS, EWMA_MIN_ALPHA, MEMBER_GROUPS, MEMBERS_PER_GROUP, SMALL_PAYMENT_CENTS, WINDOWS } from './window-layout.js';

const RINGS = WINDOWS.map((w, k) => ({ i: k + 1, buckets: w.buckets, bucketMs: w.bucketMs }));
const NW = WINDOWS.length;

/**
 * The ring layout in the state hash. Totals live in field `T<i>` (TOTALS: head bucket, slot
 * bitmask, totals), slots in `R<i>:<slot>` (SLOT). Invariants: a slot's bit is set exactly when
 * its field exists; every stored slot holds a bucket inside (head - buckets, head], so a slot
 * needs no bucket tag; the totals equal the sum of the slots. The first HMGET reads the totals
 * with the event's own slot in every ring, which is all that an event in the head bucket, a late
 * event or a one-bucket step needs; a second HMGET reads the slots a longer step skips over,
 * and only the non-empty ones.
 *
 * Locals per ring i: e (event bucket), s (its slot), fld (its field), h (head), m (mask),
 * a b c d x (totals: out count, out sum, in count, in sum, small out count), L (event stored).
 * The event adds dc ds ec es sc.
 */
function ringPrelude(extraFields: string): string {
  const perRing = RINGS.map(
    ({ i, buckets, bucketMs }) => `local e${i} = floor(ts / ${bucketMs})
local s${i} = e${i} % ${buckets}
local fld${i} = RF${i}[s${i} + 1]`,
  ).join('\n');
  return `${perRing}
local got = call('HMGET', s, ${RINGS.map(({ i }) => `'T${i}'`).join(', ')}, ${RINGS.map(({ i }) => `fld${i}`).join(', ')}, 'a', ${extraFields})
local set, ns, del, nd, reads, readW, nr = {}, 0, {}, 0, {}, {}, 0
local newer, newerW, nn = {}, {}, 0`;
}

/** Moves ring i to the event's bucket, expiring what falls out, and stores the event's slot. */
function ringAdvance({ i, buckets }: (typeof RINGS)[number]): string {
  return `local h${i}, m${i}, a${i}, b${i}, c${i}, d${i}, x${i} = nil, 0, 0, 0, 0, 0, 0
if got[${i}] then h${i}, m${i}, a${i}, b${i}, c${i}, d${i}, x${i} = sunpack(TOT, got[${i}]) end
local L${i} = true
local ra${i}, rb${i}, rc${i}, rd${i}, rx${i} = 0, 0, 0, 0, 0
do
  local own, b0 = got[${NW + i}], lshift(1, s${i})
  local p1, p2, p3, p4, p5 = 0, 0, 0, 0, 0
  if h${i} == nil or e${i} > h${i} then
    if m${i} ~= 0 then
      if e${i} - h${i} >= ${buckets} then
        -- the whole ring expired: delete its slots without reading them
        for k = 0, ${buckets - 1} do
          if k ~= s${i} and band(m${i}, lshift(1, k)) ~= 0 then nd = nd + 1; del[nd] = RF${i}[k + 1] end
        end
        m${i}, a${i}, b${i}, c${i}, d${i}, x${i} = 0, 0, 0, 0, 0, 0
      else
        for k = h${i} + 1, e${i} - 1 do
          local j = k % ${buckets}
          local bj = lshift(1, j)
          if band(m${i}, bj) ~= 0 then
            m${i} = band(m${i}, bnot(bj))
            nr = nr + 1; reads[nr] = RF${i}[j + 1]; readW[nr] = ${i}
          end
        end
        if own and band(m${i}, b0) ~= 0 then
          -- the event's slot holds the bucket one ring older, which expires now
          local q1, q2, q3, q4, q5 = sunpack(SLOT, own)
          a${i}, b${i}, c${i}, d${i}, x${i} = a${i} - q1, b${i} - q2, c${i} - q3, d${i} - q4, x${i} - q5
        end
      end
    end
    h${i} = e${i}
  elseif e${i} > h${i} - ${buckets} then
    if own and band(m${i}, b0) ~= 0 then p1, p2, p3, p4, p5 = sunpack(SLOT, own) end
    -- a late event's window ends at its own bucket: the slots after it are read to leave them out of its reply
    for k = e${i} + 1, h${i} do
      local j = k % ${buckets}
      if band(m${i}, lshift(1, j)) ~= 0 then nn = nn + 1; newer[nn] = RF${i}[j + 1]; newerW[nn] = ${i} end
    end
  else
    L${i} = false
  end
  if L${i} then
    m${i} = bor(m${i}, b0)
    ns = ns + 2; set[ns - 1] = fld${i}; set[ns] = pack(SLOT, p1 + dc, p2 + ds, p3 + ec, p4 + es, p5 + sc)
  end
end`;
}

/**
 * Lua that reads the slot fields listed in `list` (`count` of them, their rings in `rings`) and
 * subtracts each from its ring's locals `into(i)`; `afterEach` runs for every field listed.
 */
function subtractSlots(list: string, rings: string, count: string, into: (i: number) => readonly string[], afterEach = ''): string {
  const apply = RINGS.map(({ i }) => {
    const locals = into(i);
    return `if w == ${i} then ${locals.join(', ')} = ${locals.map((name, k) => `${name} - q${k + 1}`).join(', ')} end`;
  }).join('\n      ');
  return `if ${count} > 0 then
  local vals = call('HMGET', s, unpack(${list}))
  for r = 1, ${count} do
    local v = vals[r]
    if v then
      local q1, q2, q3, q4, q5 = sunpack(SLOT, v)
      local w = ${rings}[r]
      ${apply}
    end${afterEach === '' ? '' : `\n    ${afterEach}`}
  end
end`;
}

/** Reads the skipped-over slots that expire, subtracts them from their ring, deletes them. */
function ringEvictions(): string {
  return subtractSlots('reads', 'readW', 'nr', (i) => [`a${i}`, `b${i}`, `c${i}`, `d${i}`, `x${i}`], 'nd = nd + 1; del[nd] = reads[r]');
}

/** Takes the slots after a late event's bucket out of its reply (not out of the totals). */
function ringLater(): string {
  return subtractSlots('newer', 'newerW', 'nn', (i) => [`ra${i}`, `rb${i}`, `rc${i}`, `rd${i}`, `rx${i}`]);
}

/** Writes the totals of every ring the event was stored in. */
function ringTotals(): string {
  return RINGS.map(
    ({ i }) =>
      `if L${i} then ns = ns + 2; set[ns - 1] = 'T${i}'; set[ns] = pack(TOT, h${i}, m${i}, a${i} + dc, b${i} + ds, c${i} + ec, d${i} + es, x${i} + sc) end`,
  ).join('\n');
}

/**
 * The reply's window block: each ring's window ending at the event's bucket, with the event — the
 * totals, less the slots after a late event's bucket; for an event too old for the ring, the event
 * alone (everything the ring holds is later than it).
 */
function ringReply(): string {
  return RINGS.map(
    ({ i }) =>
      `L${i} and (a${i} + dc + ra${i}) or dc, L${i} and (b${i} + ds + rb${i}) or ds, L${i} and (c${i} + ec + rc${i}) or ec, L${i} and (d${i} + es + rd${i}) or es, L${i} and (x${i} + sc + rx${i}) or sc`,
  ).join(',\n  ');
}

const ringsLua = (extraFields: string): string => `${ringPrelude(extraFields)}
${RINGS.map(ringAdvance).join('\n')}
${ringEvictions()}
${ringLater()}
${ringTotals()}
if nd > 0 then call('HDEL', s, unpack(del)) end`;

/** TTLs baked into the scripts (as string literals, so that Redis need not format numbers). */
export type ScriptTtls = {
  readonly markerMs: number;
  readonly stateMs: number;
  /**
   * The state of an account that has never paid out (a payee met in payments in, often at another
   * bank): shorter than stateMs, so that every counterparty met once does not hold state for the
   * full state TTL.
   */
  readonly receiveOnlyMs: number;
  /** The account's history key (a copy of its scalars, kept while it lives on after the state). */
  readonly historyMs: number;
  /** Each side refreshes the TTLs of its keys at most this often. */
  readonly refreshSeconds: number;
  readonly profileMs: number;
};

/**
 * Shared helpers. TTLs are refreshed at most once per refresh interval per account side (wall
 * clock, kept in field a), not on every event: idle keys vanish between the state TTL minus
 * the interval and the state TTL after their side's last event. A set an event creates gets its
 * TTL at once, and a new account refreshes at once.
 */
function helpersLua(ttl: ScriptTtls): string {
  // Built once per script call, not per account side: the formats, the bit functions and every
  // ring slot's field name (R<i>:<slot>), so that a side neither builds tables nor concatenates.
  const slotFields = RINGS.map(
    ({ i, buckets }) => `local RF${i} = {${Array.from({ length: buckets }, (_, k) => `'R${i}:${k}'`).join(', ')}}`,
  ).join('\n');
  return `
local TOT, SLOT, ACC = '${TOTALS.format}', '${SLOT.format}', '${ACCOUNT.format}'
local band, bor, bnot, lshift = bit.band, bit.bor, bit.bnot, bit.lshift
-- the library functions the sides call most, as locals (a global's lookup costs a table access)
local call, pack, sunpack, floor, sub = redis.call, struct.pack, struct.unpack, math.floor, string.sub
${slotFields}
local STATE_TTL, RECEIVE_TTL, MARKER_TTL, HISTORY_TTL, REFRESH = '${ttl.stateMs}', '${ttl.receiveOnlyMs}', '${ttl.markerMs}', '${ttl.historyMs}', ${ttl.refreshSeconds}
local MEMBER, SEEN, MEMBER_SIZE, GROUP_ENTRIES = '<I4I4', '<I4', 8, ${MEMBERS_PER_GROUP}
local PF = {${Array.from({ length: G }, (_, g) => `'P${g + 1}'`).join(', ')}}
local QF = {${Array.from({ length: G }, (_, g) => `'Q${g + 1}'`).join(', ')}}
local NF = {${Array.from({ length: G }, (_, g) => `'N${g + 1}'`).join(', ')}}
-- Sees member tag at second sec in a group value (false when the group is empty): returns the
-- new value (the same string when unchanged) and whether the member was there. Last-seen only
-- moves forward; a full group forgets its least recently seen member.
local function touch(v, tag, sec)
  if not v then return pack(MEMBER, tag, sec), false end
  local n = #v / MEMBER_SIZE
  local oldest, at = nil, 0
  for j = 0, n - 1 do
    local t, seen = sunpack(MEMBER, v, j * MEMBER_SIZE + 1)
    if t == tag then
      if sec > seen then return sub(v, 1, j * MEMBER_SIZE) .. pack(MEMBER, tag, sec) .. sub(v, j * MEMBER_SIZE + MEMBER_SIZE + 1), true end
      return v, true
    end
    if oldest == nil or seen < oldest then oldest, at = seen, j end
  end
  if n < GROUP_ENTRIES then return v .. pack(MEMBER, tag, sec), false end
  return sub(v, 1, at * MEMBER_SIZE) .. pack(MEMBER, tag, sec) .. sub(v, at * MEMBER_SIZE + MEMBER_SIZE + 1), false
end
-- Whether text x sorts after text y byte by byte (Lua's < follows the server's locale).
local function bytesAfter(x, y)
  if x == y then return false end
  local n = #x
  if #y < n then n = #y end
  for i = 1, n do
    local p, q = string.byte(x, i), string.byte(y, i)
    if p ~= q then return p > q end
  end
  return #x > #y
end
-- Members of a group value last seen after second lo1, and after second lo2 (lo2 <= lo1):
-- one pass for both windows, reading only the last-seen half of each member.
local function seenAfter(v, lo1, lo2)
  local c1, c2 = 0, 0
  if v then
    for j = 5, #v, MEMBER_SIZE do
      local seen = sunpack(SEEN, v, j)
      if seen > lo2 then
        c2 = c2 + 1
        if seen > lo1 then c1 = c1 + 1 end
      end
    end
  end
  return c1, c2
end`;
}

const G = MEMBER_GROUPS;

/**
 * The counterparty hash of a payment from an account to itself (cash at the counter, a transfer
 * to the same account): an account is not its own payee, nor its own payer, so the side records
 * no member and reads as not new. memberHash never gives it.
 */
export const NO_MEMBER = 0;

/**
 * Reads the account's scalars (field a): from the state, or — when the state is gone (a new
 * account, or one idle past the state TTL) — from its history key (KEYS[3]), which each side
 * rewrites with the scalars whenever it refreshes its TTLs. Restored scalars are as of that
 * refresh (at most a refresh interval old); their refresh times are cleared so that the new state
 * gets its TTL and the history its copy at once.
 */
function restoreLua(X: number): string {
  return `local acc0 = got[${X}]
if not acc0 then acc0 = call('GET', KEYS[3]) end
if acc0 then f, lo, hc, av, gt, ga, go, tOut, tIn = sunpack(ACC, acc0) end
if not got[${X}] then tOut, tIn = 0, 0 end`;
}

const PAYEE_FIELDS = Array.from({ length: G }, (_, g) => `'P${g + 1}'`).join(', ');
const PAYER_FIELDS = Array.from({ length: G }, (_, g) => `'Q${g + 1}'`).join(', ');

/**
 * Money out, on the debtor account. KEYS: state, marker, history.
 * ARGV: OUT_ARGS packed (ts, amount in USD cents, payee hash (NO_MEMBER: none), now in wall
 * seconds, which optional values are present, lat, lon, device hash, creditor country hash, ip
 * hash; hashes from memberHash); origin (where the event was read from, text).
 * Replies OUT_REPLY, binary, followed by the origin of the event's first application, and keeps
 * that as the marker: applied again, from anywhere, the side replies the marker unchanged (a
 * released marker is taken over by this origin: claimLua).
 */
function outLua(ttl: ScriptTtls): string {
  const X = 2 * NW + 1;
  return `${helpersLua(ttl)}
local s, mk = KEYS[1], KEYS[2]
local done = call('GET', mk)
${claimLua(OUT_REPLY.size, 'ARGV[2]')}
local ts, amt, ph, now, pm, gla, glo, mh1, mh2, mh3 = sunpack('${OUT_ARGS.format}', ARGV[1])
if band(pm, ${OUT_PRESENT.device}) == 0 then mh1 = nil end
if band(pm, ${OUT_PRESENT.country}) == 0 then mh2 = nil end
if band(pm, ${OUT_PRESENT.ip}) == 0 then mh3 = nil end
local sec = floor(ts / 1000)
local mg1, mg2, mg3 = (mh1 or 0) % ${G} + 1, (mh2 or 0) % ${G} + 1, (mh3 or 0) % ${G} + 1
local dc, ds, ec, es, sc = 1, amt, 0, 0, 0
if amt < ${SMALL_PAYMENT_CENTS} and band(pm, ${OUT_PRESENT.card}) ~= 0 then sc = 1 end
${ringsLua(`${PAYEE_FIELDS}, NF[mg1], NF[mg2], NF[mg3]`)}

local f, lo, hc, av, gt, ga, go, tOut, tIn = -1, -1, 0, 0, -1, 0, 0, 0, 0
${restoreLua(X)}
local refresh = now - tOut >= REFRESH
local f2, lo2, gt2, ga2, go2, tOut2 = f, lo, gt, ga, go, tOut
if f < 0 or ts < f then f2 = ts end
if ts > lo then lo2 = ts end
if band(pm, ${OUT_PRESENT.geo}) ~= 0 and ts >= gt then gt2, ga2, go2 = ts, gla, glo end
if refresh then tOut2 = now end
local alpha = 1 / (hc + 1)
if alpha < ${EWMA_MIN_ALPHA} then alpha = ${EWMA_MIN_ALPHA} end
local acc = pack(ACC, f2, lo2, hc + 1, av + alpha * (amt - av), gt2, ga2, go2, tOut2, tIn)
ns = ns + 2; set[ns - 1] = 'a'; set[ns] = acc

-- payees: groups P1..P${G} (got ${X + 1}..${X + G})
local pg = ph % ${G} + 1
local pv = got[${X} + pg]
local pv2, knownPayee = pv, true
if ph ~= ${NO_MEMBER} then pv2, knownPayee = touch(pv, ph, sec) end
if pv2 ~= pv then ns = ns + 2; set[ns - 1] = PF[pg]; set[ns] = pv2 end
local newPayee = 1
if knownPayee then newPayee = 0 end
local dp1, dp24, lo1, lo24 = 0, 0, sec - ${DISTINCT_SPANS_MS['1h'] / 1000}, sec - ${DISTINCT_SPANS_MS['24h'] / 1000}
for g = 1, ${G} do
  local v = got[${X} + g]
  if g == pg then v = pv2 end
  if v then
    local c1, c24 = seenAfter(v, lo1, lo24)
    dp1, dp24 = dp1 + c1, dp24 + c24
  end
end

-- devices, creditor countries and IPs (hashed with their kind) share groups N1..N${G}
local nv = {}
local new1, new2, new3 = 0, 0, 0
if mh1 then
  local v2, known = touch(got[${X + G + 1}], mh1, sec)
  nv[mg1] = v2
  if not known then new1 = 1 end
end
if mh2 then
  local v = nv[mg2]
  if v == nil then v = got[${X + G + 2}] end
  local v2, known = touch(v, mh2, sec)
  nv[mg2] = v2
  if not known then new2 = 1 end
end
if mh3 then
  local v = nv[mg3]
  if v == nil then v = got[${X + G + 3}] end
  local v2, known = touch(v, mh3, sec)
  nv[mg3] = v2
  if not known then new3 = 1 end
end
for g, v in pairs(nv) do ns = ns + 2; set[ns - 1] = NF[g]; set[ns] = v end
call('HSET', s, unpack(set))
if refresh then
  call('PEXPIRE', s, STATE_TTL)
  call('SET', KEYS[3], acc, 'PX', HISTORY_TTL)
end

local out = pack('${OUT_REPLY.format}',
  ${ringReply()},
  dp1, dp24, newPayee, new1, new2, new3, lo, f2, hc, av, gt, ga, go) .. ARGV[2]
call('SET', mk, out, 'PX', MARKER_TTL)
return out
`;
}

/**
 * Money in, on the creditor account. KEYS: state, marker, history.
 * ARGV: IN_ARGS packed (ts, amount in USD cents, payer hash (NO_MEMBER: none), now in wall
 * seconds); origin.
 * Replies IN_REPLY, binary, followed by the first application's origin, and keeps that as the
 * marker (as the out side does).
 */
function inLua(ttl: ScriptTtls): string {
  const X = 2 * NW + 1;
  return `${helpersLua(ttl)}
local s, mk = KEYS[1], KEYS[2]
local done = call('GET', mk)
${claimLua(IN_REPLY.size, 'ARGV[2]')}
local ts, amt, qh, now = sunpack('${IN_ARGS.format}', ARGV[1])
local sec = floor(ts / 1000)
local dc, ds, ec, es, sc = 0, 0, 1, amt, 0
${ringsLua(PAYER_FIELDS)}

local f, lo, hc, av, gt, ga, go, tOut, tIn = -1, -1, 0, 0, -1, 0, 0, 0, 0
${restoreLua(X)}
local refresh = now - tIn >= REFRESH
local acc
if f < 0 or ts < f or refresh then
  if f < 0 or ts < f then f = ts end
  if refresh then tIn = now end
  acc = pack(ACC, f, lo, hc, av, gt, ga, go, tOut, tIn)
  ns = ns + 2; set[ns - 1] = 'a'; set[ns] = acc
end
-- payers: groups Q1..Q${G} (got ${X + 1}..${X + G})
local qg = qh % ${G} + 1
local qv = got[${X} + qg]
local qv2 = qv
if qh ~= ${NO_MEMBER} then qv2 = touch(qv, qh, sec) end
if qv2 ~= qv then ns = ns + 2; set[ns - 1] = QF[qg]; set[ns] = qv2 end
local dq, lo24 = 0, sec - ${DISTINCT_SPANS_MS['24h'] / 1000}
for g = 1, ${G} do
  local v = got[${X} + g]
  if g == qg then v = qv2 end
  if v then
    local _, c24 = seenAfter(v, lo24, lo24)
    dq = dq + c24
  end
end
if ns > 0 then call('HSET', s, unpack(set)) end
if refresh then
  -- Only accounts that have paid out keep a history, and the full state TTL: one that only ever
  -- received (a payee at another bank, met once) would otherwise leave its keys behind for long.
  -- Its state lives RECEIVE_TTL; its first payment out gives it the state TTL (the out side's
  -- first refresh is due at once).
  if lo >= 0 then
    call('PEXPIRE', s, STATE_TTL)
    call('SET', KEYS[3], acc, 'PX', HISTORY_TTL)
  else
    call('PEXPIRE', s, RECEIVE_TTL)
  end
end
local out = pack('${IN_REPLY.format}',
  ${ringReply()},
  dq) .. ARGV[2]
call('SET', mk, out, 'PX', MARKER_TTL)
return out
`;
}

/**
 * Upserts a customer profile; the newest event time wins (then the larger id, byte by byte as the
 * account links compare them; bytesAfter is among the batch script's helpers), so that applying
 * an event twice, or an older one late, leaves the newest profile. Another copy of the event
 * applied (the same time and id, whatever it holds) changes nothing: the first copy stands, as
 * it does in storage. Returns the profile fields.
 * KEYS: profile. ARGV: ts, event id, segment, risk rating, pep (0/1), country, onboarded at (epoch
 * ms, empty when the event has none: the one stored stays).
 */
function customerLua(ttl: ScriptTtls): string {
  return `
local k = KEYS[1]
local ts = tonumber(ARGV[1])
local cur = redis.call('HMGET', k, 'ts', 'id')
local cts = tonumber(cur[1])
if cts == nil or ts > cts or (ts == cts and bytesAfter(ARGV[2], cur[2] or '')) then
  redis.call('HSET', k, 'seg', ARGV[3], 'risk', ARGV[4], 'pep', ARGV[5], 'co', ARGV[6], 'ts', ARGV[1], 'id', ARGV[2])
  -- the start of the relationship does not change: an event that does not say keeps what is known
  if ARGV[7] ~= '' then redis.call('HSET', k, 'ob', ARGV[7]) end
end
redis.call('PEXPIRE', k, '${ttl.profileMs}')
return redis.call('HMGET', k, ${PROFILE_FIELDS.map((f) => `'${f}'`).join(', ')})
`;
}

/**
 * Keeps a customer's account list (a customer event's `accounts`, AccountList in the profile hash)
 * when the event is newer than the list stored (isNewerLink), and then unlinks the accounts the
 * stored list names and the event does not: each whose link its customer holds, set by an older
 * event, is left without a customer, with the time and id of the event that had set it
 * (UNLINKED_CUSTOMER). An account another customer holds now is left alone. Replies 1 when the
 * list is the event's (its accounts are linked next: linkLua), 0 when a newer list stands (an
 * older event arriving late links and unlinks nothing).
 * KEYS: the profile. ARGV: the event's ts, its id, its customer id, its list (encodeAccountList).
 *
 * The links of the accounts unlinked are keys the script names itself (from the profile key's
 * prefix and the stored list), not KEYS: Node does not know the stored list before the script
 * (docs/features.md, Scale-out). Only customer events whose list drops an account touch them.
 */
function accountsLua(): string {
  const sep = `'\\${LINK_SEPARATOR.charCodeAt(0)}'`;
  return `
local k = KEYS[1]
local cur = redis.call('HGET', k, '${PROFILE_ACCOUNTS_FIELD}')
local ts = tonumber(ARGV[1])
local old = nil
if cur then
  local a = string.find(cur, ${sep}, 1, true)
  if a then
    local b = string.find(cur, ${sep}, a + 1, true)
    local cts = tonumber(string.sub(cur, 1, a - 1))
    local cid = string.sub(cur, a + 1, (b or (#cur + 1)) - 1)
    if cts and (ts < cts or (ts == cts and not bytesAfter(ARGV[2], cid))) then return 0 end
    if b then old = string.sub(cur, b + 1) end
  end
end
redis.call('HSET', k, '${PROFILE_ACCOUNTS_FIELD}', ARGV[4])
if old == nil then return 1 end
local v, listed = ARGV[4], {}
local p = string.find(v, ${sep}, 1, true)
p = string.find(v, ${sep}, p + 1, true)
while p do
  local q = string.find(v, ${sep}, p + 1, true)
  listed[string.sub(v, p + 1, (q or (#v + 1)) - 1)] = true
  p = q
end
-- the prefix has no brace (checkPrefix): the profile key's first one opens its hash tag
local prefix = string.sub(k, 1, string.find(k, '{', 1, true) - 1)
local from = 1
while from do
  local q = string.find(old, ${sep}, from, true)
  local account = string.sub(old, from, (q or (#old + 1)) - 1)
  if q then from = q + 1 else from = nil end
  if not listed[account] then
    local lk = prefix .. '{a:' .. account .. '}:c'
    local link = redis.call('GET', lk)
    if link then
      local a = string.find(link, ${sep}, 1, true)
      local b = a and string.find(link, ${sep}, a + 1, true)
      if not a then
        -- stored before links carried their event: older than any
        if link == ARGV[3] then redis.call('SET', lk, ${sep} .. ${sep}, 'KEEPTTL') end
      elseif b and string.sub(link, b + 1) == ARGV[3] then
        local lts = tonumber(string.sub(link, 1, a - 1))
        if lts == nil or ts > lts or (ts == lts and bytesAfter(ARGV[2], string.sub(link, a + 1, b - 1))) then
          redis.call('SET', lk, string.sub(link, 1, b), 'KEEPTTL')
        end
      end
    end
  end
end
return 1
`;
}

/**
 * Links an account to the customer who holds it (a customer event's `accounts`, run when
 * accountsLua kept the event's list): only a newer event replaces the link, as isNewerLink says
 * (core/feature-keys.ts; ids compared byte by byte, not by the server's locale), so an older event
 * arriving late does not move the account back to its former holder, and the event that set it
 * changes nothing when applied again. A link stored before links carried their event (the customer
 * id alone, no separator) is older than any event; an unlinked one keeps the time of the link it
 * ended. Replies 1 when it wrote the link, 0 when the link stands.
 * KEYS: the account's link. ARGV: the event's ts, its id, the link to store (encodeAccountLink).
 */
function linkLua(ttl: ScriptTtls): string {
  const sep = `'\\${LINK_SEPARATOR.charCodeAt(0)}'`;
  return `
local cur = redis.call('GET', KEYS[1])
if cur then
  local a = string.find(cur, ${sep}, 1, true)
  if a then
    local b = string.find(cur, ${sep}, a + 1, true)
    local ts, cts = tonumber(ARGV[1]), tonumber(string.sub(cur, 1, a - 1))
    -- (a time that does not read as a number is older than any, as Node reads it)
    if cts and (ts < cts or (ts == cts and not bytesAfter(ARGV[2], string.sub(cur, a + 1, b - 1)))) then return 0 end
  end
end
redis.call('SET', KEYS[1], ARGV[3], 'PX', '${ttl.profileMs}')
return 1
`;
}

/**
 * The idempotency marker of an event of another kind than payment (whose sides keep their own):
 * remembers where the event was first read from. KEYS: marker. ARGV: origin. Replies the first
 * application's origin: this origin when the event is new, or when its marker was released.
 */
function eventMarkerLua(ttl: ScriptTtls): string {
  return `
local first = redis.call('GET', KEYS[1])
if first and first ~= '${RELEASED_ORIGIN}' then return first end
if first then redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
else redis.call('SET', KEYS[1], ARGV[1], 'PX', '${ttl.markerMs}') end
return ARGV[1]
`;
}

/**
 * A side's answer when its marker (the Lua variable done) exists: the marker, taken over first
 * by this application's origin (originArg) when it was released (its reply of size bytes, then
 * RELEASED_ORIGIN). Its TTL stays: the window of exactly-once application is the first one's.
 */
function claimLua(size: number, originArg: string): string {
  return `if done then
  if #done == ${size + 1} and sub(done, ${size + 1}) == '${RELEASED_ORIGIN}' then
    done = sub(done, 1, ${size}) .. ${originArg}
    call('SET', mk, done, 'KEEPTTL')
  end
  return done
end`;
}

/**
 * Releases markers: KEYS the markers, ARGV[i] the size of KEYS[i]'s reply (0 for the marker of an
 * event of another kind, which holds its origin only). Each marker that still exists keeps its
 * reply and gets RELEASED_ORIGIN as its origin, with its TTL unchanged. Replies how many were.
 */
export const RELEASE_MARKERS_LUA = `
local n = 0
for i = 1, #KEYS do
  local v = redis.call('GET', KEYS[i])
  local size = tonumber(ARGV[i])
  if v and #v >= size then
    redis.call('SET', KEYS[i], string.sub(v, 1, size) .. '${RELEASED_ORIGIN}', 'KEEPTTL')
    n = n + 1
  end
end
return n
`;

/** The profile fields every profile read asks for, in the order decoded by profile.ts. */
export const PROFILE_FIELDS = ['seg', 'risk', 'pep', 'co', 'ob'] as const;

/**
 * What one operation of the batch script takes: keys and arguments (after the opcode). The
 * batch script walks ARGV: an opcode, then that many arguments; KEYS in the same order.
 */
export const BATCH_OPS = {
  /** Money out: the out script's keys and arguments. */
  out: { op: 'o', keys: 3, args: 2 },
  /** Money in: the in script's keys and arguments. */
  in: { op: 'i', keys: 3, args: 2 },
  /** The marker of an event of another kind: its key and the origin. */
  event: { op: 'e', keys: 1, args: 1 },
  /** Customer upsert: the customer script's key and arguments. */
  customer: { op: 'c', keys: 1, args: 7 },
  /**
   * A customer event's account list (accountsLua): the profile key; the event's ts, id, customer
   * id and list. Queued after the event's marker, and applied only when that marker says the event
   * is applied from this origin: another copy of an applied event, read from another message,
   * writes nothing whatever it holds (as its profile upsert changes nothing).
   */
  accounts: { op: 'a', keys: 1, args: 4 },
  /**
   * An account's link to its holder (linkLua): its key; the event's ts, id and the link. Queued
   * after the event's account list, and applied only when the list was kept (the event is the
   * customer's newest with accounts, applied from this origin).
   */
  link: { op: 'l', keys: 1, args: 3 },
  /** Profile read: HMGET of PROFILE_FIELDS. */
  profile: { op: 'h', keys: 1, args: 0 },
} as const;

/**
 * A script body as a Lua function of one operation: KEYS[i] and ARGV[i] become KEYS[KB + i] and
 * ARGV[AB + i].
 */
function asFunction(name: string, body: string, keys: number): string {
  const renamed = body
    .replace(/KEYS\[(\d+)\]/g, 'KEYS[KB + $1]')
    .replace(/ARGV\[(\d+)\]/g, 'ARGV[AB + $1]');
  if (renamed.includes('#KEYS') || renamed.includes('#ARGV')) throw new Error(`${name}: a script body must not use #KEYS or #ARGV (${keys} keys)`);
  return `local function ${name}(KB, AB)\n${renamed}\nend`;
}

/**
 * The whole batch in ONE script call: each operation is the body of the per-side script, run in
 * order, so the results are those of the separate scripts run one after the other (each side
 * is still atomic; the batch as a whole now is too). Saves a script call per side, the RESP of
 * every command, and in Node the per-command objects of ioredis. Replies one entry per
 * operation: the out/in replies (binary), the profile fields (arrays).
 *
 * Keys of many accounts in one script: fine on a standalone Redis; on Redis Cluster the batch
 * must be split per node and the script flagged allow-cross-slot-keys (see docs/features.md).
 */
function batchLua(ttl: ScriptTtls): string {
  const { out, in: inn, customer, profile, event, accounts, link } = BATCH_OPS;
  // the helpers only once, at the top; each side's body without them
  const outBody = outLua(ttl).replace(helpersLua(ttl), '');
  const inBody = inLua(ttl).replace(helpersLua(ttl), '');
  return `${helpersLua(ttl)}
${asFunction('outSide', outBody, out.keys)}
${asFunction('inSide', inBody, inn.keys)}
${asFunction('customerOp', customerLua(ttl), customer.keys)}
${asFunction('eventOp', eventMarkerLua(ttl), event.keys)}
${asFunction('accountsOp', accountsLua(), accounts.keys)}
${asFunction('linkOp', linkLua(ttl), link.keys)}
-- fresh: the last event marker was this application's (a new event, or a redelivery of its message);
-- listing: the last account list was kept (its accounts are linked)
local res, n, k, a, na, fresh, listing = {}, 0, 0, 1, #ARGV, false, false
while a <= na do
  local op = ARGV[a]
  n = n + 1
  if op == '${out.op}' then res[n] = outSide(k, a); k = k + ${out.keys}; a = a + ${out.args + 1}
  elseif op == '${inn.op}' then res[n] = inSide(k, a); k = k + ${inn.keys}; a = a + ${inn.args + 1}
  elseif op == '${profile.op}' then res[n] = call('HMGET', KEYS[k + 1], ${PROFILE_FIELDS.map((f) => `'${f}'`).join(', ')}); k = k + ${profile.keys}; a = a + ${profile.args + 1}
  elseif op == '${customer.op}' then res[n] = customerOp(k, a); k = k + ${customer.keys}; a = a + ${customer.args + 1}
  elseif op == '${event.op}' then res[n] = eventOp(k, a); fresh = res[n] == ARGV[a + 1]; k = k + ${event.keys}; a = a + ${event.args + 1}
  elseif op == '${link.op}' then
    if listing then res[n] = linkOp(k, a) else res[n] = 0 end
    k = k + ${link.keys}; a = a + ${link.args + 1}
  elseif op == '${accounts.op}' then
    if fresh then res[n] = accountsOp(k, a) else res[n] = 0 end
    listing = res[n] == 1
    k = k + ${accounts.keys}; a = a + ${accounts.args + 1}
  else return redis.error_reply('feature batch: unknown operation ' .. tostring(op)) end
end
return res
`;
}

/** The batch script (see batchLua) for one set of TTLs. */
export function featureBatchScript(ttl: ScriptTtls): string {
  return batchLua(ttl);
}
