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

import { mkdir, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import { FileItsmProvider } from './FileItsmProvider';
import {
  collect,
  lastCursor,
  record,
  useTempDir,
  writeLines,
} from './__testUtils__/helpers';

function ids(batches: Array<{ records?: unknown[]; feedback?: unknown[] }>) {
  return batches.flatMap(b =>
    [...(b.records ?? []), ...(b.feedback ?? [])].map(
      v => (v as { externalId?: string }).externalId ?? '(raw)',
    ),
  );
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('FileItsmProvider', () => {
  const tmp = useTempDir();
  const provider = (batchSize?: number) =>
    new FileItsmProvider({
      id: 'file:test',
      path: tmp.dir,
      department: 'it',
      kinds: ['incident'],
      batchSize,
    });

  it('reads every supported file in name order, records and feedback apart', async () => {
    await writeLines(path.join(tmp.dir, 'b.ndjson'), [record(2)]);
    await writeFile(
      path.join(tmp.dir, 'a.json'),
      JSON.stringify({
        records: [record(1)],
        feedback: [{ externalId: 'f1', scale: 'csat5', score: 5 }],
      }),
    );
    await writeFile(
      path.join(tmp.dir, 'c.csv'),
      'externalId,kind,title,state,openedAt,sourceUpdatedAt\nr3,incident,Three,new,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z\n',
    );
    await writeLines(path.join(tmp.dir, 'd-feedback.jsonl'), [
      { externalId: 'f2', scale: 'nps10', score: 9 },
    ]);
    await writeFile(path.join(tmp.dir, 'notes.txt'), 'ignored');
    await writeFile(path.join(tmp.dir, '.partial.ndjson'), 'ignored');
    await mkdir(path.join(tmp.dir, 'sub.json'));

    const batches = await collect(provider(), null);
    expect(batches).toHaveLength(1);
    expect(batches[0].records).toEqual([
      record(1),
      record(2),
      expect.objectContaining({ externalId: 'r3', title: 'Three' }),
    ]);
    expect(batches[0].feedback).toEqual([
      { externalId: 'f1', scale: 'csat5', score: 5 },
      { externalId: 'f2', scale: 'nps10', score: 9 },
    ]);
    expect(Object.keys(JSON.parse(batches[0].cursor!).files)).toEqual([
      'a.json',
      'b.ndjson',
      'c.csv',
      'd-feedback.jsonl',
    ]);
  });

  it('yields 1,200 items in batches of 500, 500 and 200, each with a cursor', async () => {
    await writeLines(
      path.join(tmp.dir, 'x.ndjson'),
      range(1, 1200).map(n => record(n)),
    );
    const batches = await collect(provider(), null);
    expect(batches.map(b => b.records!.length)).toEqual([500, 500, 200]);
    expect(ids(batches)).toEqual(range(1, 1200).map(n => `r${n}`));
    expect(batches.map(b => JSON.parse(b.cursor!).files['x.ndjson'])).toEqual([
      expect.objectContaining({ read: 500, done: false }),
      expect.objectContaining({ read: 1000, done: false }),
      expect.objectContaining({ read: 1200, done: true }),
    ]);
  });

  it('fills batches across files', async () => {
    await writeLines(
      path.join(tmp.dir, 'a.ndjson'),
      range(1, 400).map(n => record(n)),
    );
    await writeLines(
      path.join(tmp.dir, 'b.ndjson'),
      range(401, 800).map(n => record(n)),
    );
    const batches = await collect(provider(), null);
    expect(batches.map(b => b.records!.length)).toEqual([500, 300]);
    expect(JSON.parse(batches[0].cursor!).files).toEqual({
      'a.ndjson': expect.objectContaining({ read: 400, done: true }),
      'b.ndjson': expect.objectContaining({ read: 100, done: false }),
    });
  });

  it('resumes mid-file after the last committed batch: nothing twice, nothing skipped', async () => {
    await writeLines(
      path.join(tmp.dir, 'a.ndjson'),
      range(1, 700).map(n => record(n)),
    );
    await writeFile(
      path.join(tmp.dir, 'b.csv'),
      `externalId,kind,title,state,openedAt,sourceUpdatedAt\n${range(701, 1200)
        .map(
          n =>
            `r${n},incident,T${n},new,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z`,
        )
        .join('\n')}\n`,
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    // One batch per sync, as if the backend crashed after every commit.
    for (let run = 0; run < 10; run++) {
      const batches = await collect(provider(300), cursor, { limit: 1 });
      if (batches.length === 0) break;
      seen.push(...ids(batches));
      cursor = lastCursor(batches, cursor);
    }
    expect(seen).toEqual(range(1, 1200).map(n => `r${n}`));
    expect(await collect(provider(300), cursor)).toEqual([]);
  });

  it('skips unchanged files and reads a changed file again from its start', async () => {
    await writeLines(path.join(tmp.dir, 'a.ndjson'), [record(1), record(2)]);
    await writeLines(path.join(tmp.dir, 'b.ndjson'), [record(3)]);
    const first = await collect(provider(), null);
    const cursor = lastCursor(first, null);
    expect(ids(first)).toEqual(['r1', 'r2', 'r3']);

    expect(await collect(provider(), cursor)).toEqual([]);

    await writeLines(path.join(tmp.dir, 'b.ndjson'), [record(3), record(4)]);
    const second = await collect(provider(), cursor);
    expect(ids(second)).toEqual(['r3', 'r4']);
    expect(await collect(provider(), lastCursor(second, cursor))).toEqual([]);
  });

  it('forgets files that are gone and reads them again when they come back', async () => {
    const file = path.join(tmp.dir, 'a.ndjson');
    await writeLines(file, [record(1)]);
    const cursor = lastCursor(await collect(provider(), null), null);
    await rm(file);
    const afterRemoval = await collect(provider(), cursor);
    expect(afterRemoval).toEqual([
      { records: [], feedback: [], cursor: expect.any(String) },
    ]);
    expect(JSON.parse(afterRemoval[0].cursor!).files).toEqual({});
    await writeLines(file, [record(1)]);
    expect(
      ids(await collect(provider(), lastCursor(afterRemoval, cursor))),
    ).toEqual(['r1']);
  });

  it('yields a line that is not JSON as a raw value', async () => {
    await writeFile(
      path.join(tmp.dir, 'x.ndjson'),
      `${JSON.stringify(record(1))}\n{"externalId": "r2",\n${JSON.stringify(
        record(3),
      )}\n`,
    );
    const [batch] = await collect(provider(), null);
    expect(batch.records).toEqual([
      record(1),
      {
        __raw: '{"externalId": "r2",',
        __error: expect.stringMatching(/^line 2 of x\.ndjson: /),
      },
      record(3),
    ]);
  });

  it('starts over from a cursor it cannot read', async () => {
    await writeLines(path.join(tmp.dir, 'a.ndjson'), [record(1)]);
    expect(ids(await collect(provider(), 'not a cursor'))).toEqual(['r1']);
    expect(ids(await collect(provider(), '{"version":7}'))).toEqual(['r1']);
  });

  it('stops between batches when the signal aborts', async () => {
    await writeLines(
      path.join(tmp.dir, 'a.ndjson'),
      range(1, 30).map(n => record(n)),
    );
    const controller = new AbortController();
    const seen: unknown[] = [];
    await expect(async () => {
      for await (const batch of provider(10).sync({
        cursor: null,
        signal: controller.signal,
        logger: mockServices.logger.mock(),
      })) {
        seen.push(batch);
        controller.abort();
      }
    }).rejects.toThrow(/abort/i);
    expect(seen).toHaveLength(1);
  });

  it('names the folder when it is missing', async () => {
    const missing = path.join(tmp.dir, 'nope');
    const p = new FileItsmProvider({
      id: 'file:test',
      path: missing,
      department: 'it',
      kinds: ['incident'],
    });
    await expect(collect(p, null)).rejects.toThrow(
      `ITSM file provider file:test: folder ${missing} does not exist`,
    );
  });
});
