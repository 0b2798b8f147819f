// The TOTP second factor (RFC 6238, the authenticator-app defaults: SHA-1, 6 digits, 30 s) on otplib 13.
// A code is accepted once: the time step it matched is remembered and later codes must be newer.
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import type { TotpEnrolAnswer } from './types.js';

export const TOTP_ISSUER = 'riskstream';
/** One step either side of now, for clocks that drift and codes typed near the end of their step. */
const EPOCH_TOLERANCE_SECONDS = 30;

/** A fresh 160-bit secret (Base32) with its otpauth:// URL and a QR code of it as SVG text. */
export async function createTotpEnrolment(username: string): Promise<TotpEnrolAnswer> {
  const secret = generateSecret({ length: 20 });
  const otpauthUrl = generateURI({ issuer: TOTP_ISSUER, label: username, secret });
  const qrSvg = await QRCode.toString(otpauthUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { secret, otpauthUrl, qrSvg };
}

/**
 * The time step the code matched, or null when it is wrong, malformed, expired or not newer than
 * `afterTimeStep` (the step of the last code this user spent).
 */
export async function verifyTotpCode(secret: string, code: string, afterTimeStep: number | null, nowMs = Date.now()): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  try {
    const result = await verify({
      secret,
      token: code,
      epoch: Math.floor(nowMs / 1000),
      epochTolerance: EPOCH_TOLERANCE_SECONDS,
      ...(afterTimeStep !== null && afterTimeStep >= 0 ? { afterTimeStep } : {}),
    });
    return result.valid && 'timeStep' in result ? result.timeStep : null;
  } catch {
    // otplib throws when afterTimeStep lies beyond the window (a clock set back): no code can pass then.
    return null;
  }
}
