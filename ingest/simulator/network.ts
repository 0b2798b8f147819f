// Devices and addresses: the same generators serve a customer's own phone and a fraudster's
// laptop, so only their history (new to the account) and place set them apart.
import { deviceId } from './ids.js';
import type { Rng } from './rng.js';

export type Device = { readonly id: string; readonly ip: string; readonly userAgent: string };

export const USER_AGENTS = [
  'RiskBank/5.12.0 (iPhone; iOS 17.5)',
  'RiskBank/5.12.0 (Android 14; Pixel 8)',
  'RiskBank/5.11.3 (Android 13; SM-S911B)',
  'RiskBank/5.12.0 (iPad; iPadOS 17.4)',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
] as const;

/** First octets of large public allocations; private, loopback, CGNAT and multicast never appear. */
const PUBLIC_FIRST_OCTETS = [
  23, 24, 31, 37, 45, 46, 50, 62, 64, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84,
  85, 86, 87, 88, 89, 90, 91, 93, 94, 95, 96, 97, 98, 99, 104, 107, 108, 109, 151, 173, 174, 176, 178, 185, 188,
  195, 212, 213, 217,
] as const;

/** The IPv4 documentation ranges (RFC 5737): a share of all addresses, normal or not. */
const DOC_PREFIXES = ['192.0.2', '198.51.100', '203.0.113'] as const;

export function ipAddress(rng: Rng): string {
  const roll = rng.float();
  if (roll < 0.15) return `${rng.pick(DOC_PREFIXES)}.${rng.int(1, 254)}`;
  if (roll < 0.22) {
    // IPv6 documentation prefix 2001:db8::/32 (RFC 3849).
    const group = (): string => rng.int(0, 0xffff).toString(16);
    return `2001:db8:${group()}:${group()}::${group()}`;
  }
  return `${rng.pick(PUBLIC_FIRST_OCTETS)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

/** A device in its wire form, frozen so that the events sharing it cannot change it. */
export function newDevice(rng: Rng): Device {
  return Object.freeze({ id: deviceId(rng), ip: ipAddress(rng), userAgent: rng.pick(USER_AGENTS) });
}
