// Small text helpers for messages people read (logs, health checks, command output).

/**
 * The text on one line (runs of white space as one space, other control characters and
 * undecodable bytes shown as `?`, so that what a file held cannot drive a terminal), cut to `max`
 * characters with an ellipsis.
 */
export function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/\s+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, '?').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
