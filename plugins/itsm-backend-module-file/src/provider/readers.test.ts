/*
 * Copyright 2026 The Backstage ITSM Authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import {
  itsmFeedbackInputSchema,
  itsmRecordInputSchema,
} from '@backstage-itsm/plugin-itsm-common';
import {
  convertCsvCell,
  FileItem,
  formatOf,
  isFeedbackFile,
  readItems,
} from './readers';
import { useTempDir } from './__testUtils__/helpers';

async function all(file: string, skip = 0): Promise<FileItem[]> {
  const items: FileItem[] = [];
  for await (const item of readItems(file, { skip })) {
    items.push(item);
  }
  return items;
}

describe('readers', () => {
  const tmp = useTempDir();

  it('knows formats by extension and feedback files by name', () => {
    expect(formatOf('a.json')).toBe('json');
    expect(formatOf('a.NDJSON')).toBe('ndjson');
    expect(formatOf('a.jsonl')).toBe('ndjson');
    expect(formatOf('a.csv')).toBe('csv');
    expect(formatOf('a.txt')).toBeUndefined();
    expect(formatOf('.a.json')).toBeUndefined();
    expect(isFeedbackFile('feedback.ndjson')).toBe(true);
    expect(isFeedbackFile('it-Feedback-2026.csv')).toBe(true);
    expect(isFeedbackFile('records.ndjson')).toBe(false);
  });

  it('reads a JSON array, sorting answers by their scale field', async () => {
    const file = path.join(tmp.dir, 'export.json');
    await writeFile(
      file,
      JSON.stringify([
        { externalId: 'a', kind: 'incident' },
        { externalId: 'f', scale: 'csat5', score: 5 },
      ]),
    );
    expect(await all(file)).toEqual([
      { value: { externalId: 'a', kind: 'incident' }, feedback: false },
      { value: { externalId: 'f', scale: 'csat5', score: 5 }, feedback: true },
    ]);
    expect(await all(file, 1)).toHaveLength(1);
  });

  it('reads a JSON object by its records and feedback sections', async () => {
    const file = path.join(tmp.dir, 'export.json');
    await writeFile(
      file,
      `\uFEFF${JSON.stringify({
        records: [{ externalId: 'a' }],
        feedback: [{ externalId: 'f' }],
      })}`,
    );
    expect(await all(file)).toEqual([
      { value: { externalId: 'a' }, feedback: false },
      { value: { externalId: 'f' }, feedback: true },
    ]);
  });

  it('yields a JSON file that does not parse as one raw item', async () => {
    const file = path.join(tmp.dir, 'broken.json');
    await writeFile(file, '[{"externalId": "a"},');
    const items = await all(file);
    expect(items).toHaveLength(1);
    expect(items[0].value).toEqual({
      __raw: '[{"externalId": "a"},',
      __error: expect.stringMatching(/^broken\.json: /),
    });

    await writeFile(file, '{"externalId": "a"}');
    expect((await all(file))[0].value).toEqual({
      __raw: '{"externalId": "a"}',
      __error: expect.stringContaining("an object with 'records'"),
    });
  });

  it('reads NDJSON line by line, skipping blank lines, with CRLF', async () => {
    const file = path.join(tmp.dir, 'x.ndjson');
    await writeFile(
      file,
      '{"externalId":"a"}\r\n\r\n{"externalId":"b","scale":"nps10"}\r\nnot json\r\n{"externalId":"c"}',
    );
    const items = await all(file);
    expect(items.map(i => i.value)).toEqual([
      { externalId: 'a' },
      { externalId: 'b', scale: 'nps10' },
      {
        __raw: 'not json',
        __error: expect.stringMatching(
          /^line 4 of x\.ndjson: Unexpected token/,
        ),
      },
      { externalId: 'c' },
    ]);
    expect(items.map(i => i.feedback)).toEqual([false, true, false, false]);
    // Skipping counts items, not lines: blank lines are not items.
    expect((await all(file, 2)).map(i => i.value)).toEqual([
      expect.objectContaining({ __raw: 'not json' }),
      { externalId: 'c' },
    ]);
  });

  it('treats every line of a feedback file as an answer', async () => {
    const file = path.join(tmp.dir, 'feedback.jsonl');
    await writeFile(file, '{"externalId":"a"}\n{oops\n');
    expect((await all(file)).map(i => i.feedback)).toEqual([true, true]);
  });

  it('converts CSV cells by column', () => {
    expect(convertCsvCell('title', '')).toBeNull();
    expect(convertCsvCell('title', 'Checkout down')).toBe('Checkout down');
    expect(convertCsvCell('priority', '2')).toBe(2);
    expect(convertCsvCell('priority', 'high')).toBe('high');
    expect(convertCsvCell('reopenCount', '')).toBeNull();
    expect(convertCsvCell('entityRefs', '')).toEqual([]);
    expect(
      convertCsvCell('entityRefs', 'component:default/a; component:default/b;'),
    ).toEqual(['component:default/a', 'component:default/b']);
    expect(
      convertCsvCell(
        'mappings',
        'servicenow.com/ci-sysid=abc;pagerduty.com/service-id=P1=x',
      ),
    ).toEqual([
      { annotation: 'servicenow.com/ci-sysid', value: 'abc' },
      { annotation: 'pagerduty.com/service-id', value: 'P1=x' },
    ]);
    expect(convertCsvCell('mappings', 'nonsense')).toEqual([
      { annotation: 'nonsense', value: '' },
    ]);
    expect(convertCsvCell('slas', '')).toEqual([]);
    expect(convertCsvCell('payload', '{"a":1}')).toEqual({ a: 1 });
  });

  it('reads CSV rows into records that validate', async () => {
    const file = path.join(tmp.dir, 'incidents.csv');
    await writeFile(
      file,
      [
        'externalId,kind,number,title,state,priority,openedAt,resolvedAt,reopenCount,sourceUpdatedAt,entityRefs,mappings',
        'a1,incident,INC001,"Checkout returns HTTP 502, card payments",resolved,2,2026-01-02T10:00:00Z,2026-01-02T11:00:00Z,1,2026-01-02T11:00:00Z,component:default/checkout-web,servicenow.com/ci-sysid=abc;pagerduty.com/service-id=PX1',
        '',
        'a2,incident,,Mail slow,new,,2026-01-03T10:00:00Z,,,2026-01-03T10:00:00Z,,',
        'a3,incident,too,few,columns',
      ].join('\n'),
    );
    const items = await all(file);
    expect(items).toHaveLength(3);
    expect(items[0]).toEqual({
      feedback: false,
      value: {
        externalId: 'a1',
        kind: 'incident',
        number: 'INC001',
        title: 'Checkout returns HTTP 502, card payments',
        state: 'resolved',
        priority: 2,
        openedAt: '2026-01-02T10:00:00Z',
        resolvedAt: '2026-01-02T11:00:00Z',
        reopenCount: 1,
        sourceUpdatedAt: '2026-01-02T11:00:00Z',
        entityRefs: ['component:default/checkout-web'],
        mappings: [
          { annotation: 'servicenow.com/ci-sysid', value: 'abc' },
          { annotation: 'pagerduty.com/service-id', value: 'PX1' },
        ],
      },
    });
    expect(itsmRecordInputSchema.safeParse(items[0].value).success).toBe(true);
    expect(items[1].value).toMatchObject({
      number: null,
      priority: null,
      resolvedAt: null,
    });
    expect(itsmRecordInputSchema.safeParse(items[1].value).success).toBe(true);
    expect(items[2].value).toEqual({
      __raw: 'a3,incident,too,few,columns',
      __error: 'line 5 of incidents.csv: expected 12 columns, got 5',
    });
    expect((await all(file, 2)).map(i => i.value)).toEqual([items[2].value]);
  });

  it('reads CSV feedback, and keeps rows the parser refuses as raw items', async () => {
    const file = path.join(tmp.dir, 'survey.csv');
    await writeFile(
      file,
      [
        'externalId,recordExternalId,entityRef,scale,score,respondedAt,comment',
        'f1,a1,,csat5,5,2026-01-03T10:00:00Z,Quick fix',
        'f2,,component:default/payments-api,nps10,9,2026-01-04T10:00:00Z,',
        'f3,,,csat5,4,2026-01-05T10:00:00Z,"never closed',
      ].join('\n'),
    );
    const items = await all(file);
    // A row that does not parse cannot show its scale: outside a feedback
    // file it goes with the records (and is dead-lettered there).
    expect(items.map(i => i.feedback)).toEqual([true, true, false]);
    expect(itsmFeedbackInputSchema.safeParse(items[0].value).success).toBe(
      true,
    );
    expect(itsmFeedbackInputSchema.parse(items[1].value)).toMatchObject({
      score: 9,
      comment: null,
    });
    expect(items[2].value).toEqual({
      __raw: expect.stringContaining('f3,'),
      __error: expect.stringMatching(/^line \d of survey\.csv: .*[Qq]uote/),
    });
  });
});
