import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { csvRecords, type CsvRecord } from './csv-rows.js';

async function recordsOf(text: string, fields?: number): Promise<CsvRecord[]> {
  const records: CsvRecord[] = [];
  for await (const record of csvRecords(Readable.from([text]), fields === undefined ? {} : { fields })) records.push(record);
  return records;
}

describe('csvRecords', () => {
  it.each([
    ['plain lines, CRLF, a BOM and an empty line', '\ufeffa,b\r\n1,2\r\n\r\n3,4\r\n', [{ fields: ['a', 'b'], line: 1 }, { fields: ['1', '2'], line: 2 }, { fields: ['3', '4'], line: 4 }]],
    ['quoted fields with commas and doubled quotes', 'a,b\n"x, y","say ""hi"""\n', [{ fields: ['a', 'b'], line: 1 }, { fields: ['x, y', 'say "hi"'], line: 2 }]],
    ['a quoted line break: one record, named by the line it starts on', 'a,b\n"one\ntwo",3\n4,5\n', [{ fields: ['a', 'b'], line: 1 }, { fields: ['one\ntwo', '3'], line: 2 }, { fields: ['4', '5'], line: 4 }]],
    ['an unclosed quote costs its own line only', 'a,b\n1,2\n"3,4\n5,6\n7,8\n', [{ fields: ['a', 'b'], line: 1 }, { fields: ['1', '2'], line: 2 }, { malformed: 'a quote that is never closed', line: 3 }, { fields: ['5', '6'], line: 4 }, { fields: ['7', '8'], line: 5 }]],
    ['two stray quotes lines apart are two bad rows, not one record swallowing those between', 'a,b\n"1,2\n3,4\n5"x,6\n7,8\n', [{ fields: ['a', 'b'], line: 1 }, { malformed: 'a quote that is never closed', line: 2 }, { fields: ['3', '4'], line: 3 }, { malformed: 'a quote that is never closed', line: 4 }, { fields: ['7', '8'], line: 5 }]],
    ['a character after a closing quote', 'a,b\n"12.0"0,1\n2,3\n', [{ fields: ['a', 'b'], line: 1 }, { malformed: 'invalid closing quote', line: 2 }, { fields: ['2', '3'], line: 3 }]],
  ] as const)('%s', async (_name, text, expected) => {
    const fields = text.split('\n')[0]!.split(',').length;
    expect(await recordsOf(text, fields)).toEqual(expected);
  });

  it('joins no more than four lines into one record', async () => {
    const records = await recordsOf('a,b\n"1\n2\n3\n4\n5",6\n', 2);
    expect(records.slice(1)).toEqual([
      { malformed: 'a quote that is never closed', line: 2 },
      { fields: ['2'], line: 3 },
      { fields: ['3'], line: 4 },
      { fields: ['4'], line: 5 },
      { malformed: 'a quote that is never closed', line: 6 },
    ]);
  });
});
