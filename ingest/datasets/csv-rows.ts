// The records of a data set's CSV file, each with the line it starts on. Every supported format
// writes one record per line, so a line is read as a record on its own: a stray or unclosed quote
// then costs its own row (named by its line), never the rest of the file, as a streaming CSV
// parser in strict-quote mode would make it (it reads on, looking for the closing quote, to the
// end of the file). A quoted field may still hold a line break: a line whose quotes stay open is
// joined with the next ones, up to MAX_RECORD_LINES, and taken as one record only when that reads
// as a well-formed record with the header's number of fields; otherwise the line alone is left
// out and reading goes on at the line after it.
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse/sync';

export type CsvRecord =
  | { readonly fields: string[]; readonly line: number }
  /** A row that cannot be read as CSV: `reason` names what is wrong, in a few words, the same for like rows. */
  | { readonly malformed: string; readonly line: number };

/** Physical lines one record may span (a quoted field with line breaks). */
export const MAX_RECORD_LINES = 4;

type Line = { readonly text: string; readonly line: number };

/**
 * The records of `input`, the header first; empty lines skipped, a leading UTF-8 BOM dropped.
 * `shape.fields`, once the caller sets it (the header's field count), is what a record joined over
 * several lines must have.
 */
export async function* csvRecords(input: NodeJS.ReadableStream, shape: { fields?: number }): AsyncGenerator<CsvRecord> {
  const lines = createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]();
  let number = 0;
  let ended = false;
  const read = async (): Promise<Line | null> => {
    if (ended) return null;
    const next = await lines.next();
    if (next.done) {
      ended = true;
      return null;
    }
    number++;
    const text = number === 1 && next.value.charCodeAt(0) === 0xfeff ? next.value.slice(1) : next.value;
    return { text, line: number };
  };
  // lines read ahead to join a record over several, read again when they were not part of it
  const ahead: Line[] = [];
  for (;;) {
    const head = ahead.shift() ?? (await read());
    if (head === null) return;
    if (head.text === '') continue;
    if (!head.text.includes('"')) {
      yield { fields: head.text.split(','), line: head.line };
      continue;
    }
    if (quotesClosed(head.text)) {
      yield recordOf(head.text, head.line);
      continue;
    }
    // A quote left open: a field with a line break in it, or a stray quote.
    let text = head.text;
    let joined: string[] | null = null;
    let used = 0;
    for (let k = 0; k < MAX_RECORD_LINES - 1; k++) {
      if (ahead.length <= k) {
        const next = await read();
        if (next === null) break;
        ahead.push(next);
      }
      text += '\n' + ahead[k]!.text;
      if (!quotesClosed(text)) continue;
      const record = recordOf(text, head.line);
      if ('fields' in record && (shape.fields === undefined || record.fields.length === shape.fields)) {
        joined = record.fields;
        used = k + 1;
      }
      break;
    }
    if (joined !== null) {
      ahead.splice(0, used);
      yield { fields: joined, line: head.line };
    } else {
      yield { malformed: 'a quote that is never closed', line: head.line };
    }
  }
}

/** Whether every quote opened in the text is closed: an even count (`""` inside a field counts two). */
function quotesClosed(text: string): boolean {
  let count = 0;
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) count++;
  return count % 2 === 0;
}

/** One record's text read by csv-parse (strict quotes, as RFC 4180 has them). */
function recordOf(text: string, line: number): CsvRecord {
  try {
    const records = parse(text, { relax_column_count: true }) as string[][];
    if (records.length === 1) return { fields: records[0]!, line };
    return { malformed: 'a line break outside quotes', line };
  } catch (error) {
    // csv-parse: "Invalid Closing Quote: got …" — the words before the colon, the same for like rows
    return { malformed: (error as Error).message.replace(/:.*$/s, '').toLowerCase(), line };
  }
}
