// Masking personal data for roles that do not need it (an auditor checks decisions, not people):
// names keep their initials ("Ann Lee" → "A** L**"), IP addresses their network part, device ids
// their first characters, dates of birth their year. Pure functions over the wire shapes; which
// roles see what is the API's decision, the read models only apply it.
import type { EventKind } from '../../core/index.js';

/** Says, for an event of this kind, whether its personal fields are masked for the reader. */
export type MaskPolicy = (kind: EventKind) => boolean;

export const NO_MASKING: MaskPolicy = () => false;
export const MASK_ALL: MaskPolicy = () => true;

/** "Ann Lee" → "A** L**": each word keeps its first character; the rest become stars, one per character. */
export function maskName(name: string): string {
  return name.replace(/\S+/gu, (word) => {
    const chars = [...word];
    return chars[0] + '*'.repeat(chars.length - 1);
  });
}

/** IPv4 keeps its first two octets ("203.0.*.*"); IPv6 at most its first two groups ("2001:db8:*"). */
export function maskIp(ip: string): string {
  if (ip.includes(':')) {
    // The leading groups before any '::' gap, at most two: a compressed address shows no more.
    const groups = ip.split(':');
    const gap = groups.indexOf('');
    const lead = groups.slice(0, Math.min(2, gap < 0 ? groups.length : gap));
    return lead.length === 0 ? '*' : `${lead.join(':')}:*`;
  }
  const octets = ip.split('.');
  if (octets.length !== 4) return '*';
  return `${octets[0]}.${octets[1]}.*.*`;
}

/** A device id keeps two characters: enough to tell two devices apart in one view, not to look one up. */
export function maskDeviceId(id: string): string {
  const chars = [...id];
  return chars.length <= 4 ? '****' : `${chars.slice(0, 2).join('')}****`;
}

/** "1985-04-12" → "1985-**-**": the year tells an age band, not a birthday. */
export function maskDateOfBirth(date: string): string {
  return /^\d{4}-/.test(date) ? `${date.slice(0, 4)}-**-**` : '****-**-**';
}

type PartyLike = { readonly name: string | null };

/** A party (PartyView or anything with a nullable name) with its name masked. */
export function maskParty<P extends PartyLike>(party: P): P {
  return party.name === null ? party : { ...party, name: maskName(party.name) };
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function maskString(o: Json, key: string, mask: (value: string) => string): void {
  const value = o[key];
  if (typeof value === 'string') o[key] = mask(value);
}

/**
 * An event as ingested (the `raw` JSON) with its personal fields masked: party and customer names,
 * date of birth, device id, IP and user agent, the free-text purpose, and the location rounded to
 * about 10 km. Returns a copy; identifiers (account, customer ids) stay, the views join on them.
 */
export function maskEvent(event: Readonly<Json>): Json {
  const copy = structuredClone(event) as Json;
  maskString(copy, 'name', maskName);
  maskString(copy, 'dateOfBirth', maskDateOfBirth);
  // a customer profile's occupation (free text) and nationality say who the person is too
  if (copy.kind === 'customer') {
    maskString(copy, 'occupation', () => '*');
    maskString(copy, 'nationality', () => '**');
  }
  // a payment's purpose is free text (it may name anyone): starred whole, initials included; a
  // loan application's purpose is a category (auto, home, …) and stays
  if (copy.kind === 'payment') maskString(copy, 'purpose', () => '*');
  for (const side of ['debtor', 'creditor'] as const) {
    const party = copy[side];
    if (isObject(party)) maskString(party, 'name', maskName);
  }
  const device = copy.device;
  if (isObject(device)) {
    maskString(device, 'id', maskDeviceId);
    maskString(device, 'ip', maskIp);
    maskString(device, 'userAgent', () => '*');
  }
  const geo = copy.geo;
  if (isObject(geo)) {
    for (const key of ['lat', 'lon'] as const) {
      if (typeof geo[key] === 'number') geo[key] = Math.round(geo[key] * 10) / 10;
    }
  }
  return copy;
}
