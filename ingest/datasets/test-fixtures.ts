// Helpers of the data sets' tests: a CSV line as fields, and a row's event (failing when it was left out).
import type { RowResult } from './format.js';

/** A CSV line without quotes, as its fields. */
export function row(text: string): string[] {
  return text.split(',');
}

export function eventOf(result: RowResult): Record<string, unknown> {
  if (!('event' in result)) throw new Error(`left out: ${result.leftOut}`);
  return result.event;
}
