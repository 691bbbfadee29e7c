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

import { mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import { createCapturingLogger } from '@backstage-itsm/plugin-itsm-node/testUtils';
import { FileItsmProvider } from './FileItsmProvider';
import {
  collect,
  lastCursor,
  record,
  StoredIds,
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

describe('FileItsmProvider (full export)', () => {
  const tmp = useTempDir();
  const provider = (batchSize?: number, fullExport = true) =>
    new FileItsmProvider({
      id: 'file:test',
      path: tmp.dir,
      department: 'it',
      kinds: ['incident', 'change'],
      batchSize,
      fullExport,
    });
  const rs = (...ns: number[]) => ns.map(n => `r${n}`);
  const deletions = (batches: Array<{ deletions?: unknown[] }>) =>
    batches.flatMap(b => b.deletions ?? []);

  /** One sync against `store`, its cursor, deletions and log. */
  async function sync(
    store: StoredIds,
    cursor: string | null,
    options: {
      batchSize?: number;
      limit?: number;
      afterBatch?: () => Promise<void>;
    } = {},
  ) {
    const logger = createCapturingLogger();
    const batches = await collect(provider(options.batchSize), cursor, {
      store,
      logger,
      limit: options.limit,
      afterBatch: options.afterBatch,
    });
    return {
      batches,
      logger,
      cursor: lastCursor(batches, cursor),
      deleted: deletions(batches),
      ids: ids(batches),
    };
  }

  it('yields the records a changed folder no longer holds as deletions, reading unchanged files for their ids only', async () => {
    const store = new StoredIds({ pageCap: 2 });
    await writeLines(path.join(tmp.dir, 'a.ndjson'), [
      record(1),
      record(2),
      record(3, { kind: 'change' }),
    ]);
    await writeFile(
      path.join(tmp.dir, 'b.csv'),
      'externalId,kind,title,state,openedAt\nr4,incident,Four,new,2026-01-01T00:00:00Z\nr5,incident,Five,new,2026-01-01T00:00:00Z\n',
    );
    await writeLines(path.join(tmp.dir, 'c-feedback.jsonl'), [
      { externalId: 'f1', scale: 'csat5', score: 4 },
    ]);
    const first = await sync(store, null);
    expect(first.ids).toEqual([...rs(1, 2, 3, 4, 5), 'f1']);
    expect(first.deleted).toEqual([]);
    expect(store.ids('file:test')).toEqual(rs(1, 2, 3, 4, 5));
    store.calls.length = 0;

    // r4 deleted at the source: b.csv rewritten, with a new r6.
    await writeFile(
      path.join(tmp.dir, 'b.csv'),
      'externalId,kind,title,state,openedAt\nr5,incident,Five,new,2026-01-01T00:00:00Z\nr6,incident,Six,new,2026-01-01T00:00:00Z\n',
    );
    const second = await sync(store, first.cursor, { batchSize: 1 });
    // a.ndjson was not yielded again, only read for its ids.
    expect(second.ids).toEqual(rs(5, 6));
    expect(second.deleted).toEqual([{ externalId: 'r4', reason: 'export' }]);
    expect(store.ids('file:test')).toEqual(rs(1, 2, 3, 5, 6));
    // Every kind of this provider, a page at a time.
    expect(store.calls.map(c => [c.providerId, c.kind, c.after])).toEqual([
      ['file:test', undefined, undefined],
      ['file:test', undefined, 'r2'],
      ['file:test', undefined, 'r4'],
      ['file:test', undefined, 'r6'],
    ]);
    expect(second.logger.text()).toContain('1 deleted at the source');
    expect(JSON.parse(second.cursor!).reconciled).toMatch(/^[0-9a-f]{40}$/);

    // Unchanged: nothing read, nothing asked, nothing yielded.
    store.calls.length = 0;
    expect((await sync(store, second.cursor)).batches).toEqual([]);
    expect(store.calls).toEqual([]);

    // A file removed from a full export takes its records with it.
    await rm(path.join(tmp.dir, 'a.ndjson'));
    const third = await sync(store, second.cursor);
    expect(third.deleted).toEqual(
      rs(1, 2, 3).map(externalId => ({ externalId, reason: 'export' })),
    );
    expect(store.ids('file:test')).toEqual(rs(5, 6));
  });

  it('deletes nothing when an item cannot be parsed, and catches up once the folder reads whole', async () => {
    const store = new StoredIds();
    const file = path.join(tmp.dir, 'x.ndjson');
    await writeLines(file, [record(1), record(2), record(3)]);
    const first = await sync(store, null);

    await writeFile(
      file,
      `${JSON.stringify(record(1))}\n{"externalId": "r2",\n${JSON.stringify(
        record(3),
      )}\n`,
    );
    const broken = await sync(store, first.cursor);
    expect(broken.deleted).toEqual([]);
    expect(store.ids('file:test')).toEqual(rs(1, 2, 3));
    expect(broken.logger.text()).toContain(
      'not looking for records deleted at the source in this sync: x.ndjson has an item that could not be parsed',
    );
    expect(JSON.parse(broken.cursor!).reconciled).toBeUndefined();

    // A JSON file that does not parse at all deletes nothing either.
    await writeLines(file, [record(1), record(3)]);
    await writeFile(path.join(tmp.dir, 'y.json'), '{"records": [');
    const badJson = await sync(store, broken.cursor);
    expect(badJson.deleted).toEqual([]);
    expect(badJson.logger.text()).toContain(
      'y.json has an item that could not be parsed',
    );

    await rm(path.join(tmp.dir, 'y.json'));
    const fixed = await sync(store, badJson.cursor);
    expect(fixed.deleted).toEqual([{ externalId: 'r2', reason: 'export' }]);
  });

  it('deletes nothing while the folder is empty or holds an empty file, or when a file changes during the read', async () => {
    const store = new StoredIds();
    await writeLines(path.join(tmp.dir, 'a.ndjson'), [record(1), record(2)]);
    await writeLines(path.join(tmp.dir, 'b.ndjson'), [record(3)]);
    const first = await sync(store, null);

    // An export job replacing the files: first truncated, then gone.
    await writeFile(path.join(tmp.dir, 'b.ndjson'), '');
    const truncated = await sync(store, first.cursor);
    expect(truncated.deleted).toEqual([]);
    expect(truncated.logger.text()).toContain(
      'the folder has no file, or an empty one',
    );
    await rm(path.join(tmp.dir, 'a.ndjson'));
    await rm(path.join(tmp.dir, 'b.ndjson'));
    const emptied = await sync(store, truncated.cursor);
    expect(emptied.deleted).toEqual([]);
    expect(store.ids('file:test')).toEqual(rs(1, 2, 3));

    await writeLines(path.join(tmp.dir, 'a.ndjson'), [record(1)]);
    await writeLines(path.join(tmp.dir, 'b.ndjson'), [record(2)]);
    const changing = await sync(store, emptied.cursor, {
      batchSize: 1,
      afterBatch: async () => {
        await utimes(path.join(tmp.dir, 'a.ndjson'), new Date(), new Date());
      },
    });
    expect(changing.deleted).toEqual([]);
    expect(changing.logger.text()).toContain(
      'files changed while the folder was read',
    );

    const settled = await sync(store, changing.cursor);
    expect(settled.deleted).toEqual([{ externalId: 'r3', reason: 'export' }]);
    expect(store.ids('file:test')).toEqual(rs(1, 2));
  });

  it('finds deletions in a sync that resumed an interrupted one, keeping what the interrupted one read', async () => {
    const store = new StoredIds();
    await writeLines(
      path.join(tmp.dir, 'a.ndjson'),
      range(1, 10).map(n => record(n)),
    );
    await writeLines(path.join(tmp.dir, 'b.ndjson'), [record(11), record(12)]);
    const first = await sync(store, null);

    // r10 deleted; the next sync stops after its first batch.
    await writeLines(
      path.join(tmp.dir, 'a.ndjson'),
      range(1, 9).map(n => record(n, { title: `Edited ${n}` })),
    );
    const interrupted = await sync(store, first.cursor, {
      batchSize: 3,
      limit: 1,
    });
    expect(interrupted.ids).toEqual(rs(1, 2, 3));
    const resumed = await sync(store, interrupted.cursor, { batchSize: 3 });
    expect(resumed.ids).toEqual(rs(4, 5, 6, 7, 8, 9));
    expect(resumed.deleted).toEqual([{ externalId: 'r10', reason: 'export' }]);
    expect(store.ids('file:test')).toEqual(
      range(1, 12)
        .filter(n => n !== 10)
        .map(n => `r${n}`)
        .sort(),
    );
  });

  it("never touches another provider's records, and only asks for its own", async () => {
    const store = new StoredIds();
    store.add('file:other', 'r2', 'r7', 'r99');
    await writeLines(path.join(tmp.dir, 'a.ndjson'), [record(1), record(2)]);
    const first = await sync(store, null);
    await writeLines(path.join(tmp.dir, 'a.ndjson'), [record(1)]);
    const second = await sync(store, first.cursor);
    expect(second.deleted).toEqual([{ externalId: 'r2', reason: 'export' }]);
    expect(store.ids('file:other')).toEqual(['r2', 'r7', 'r99']);
    expect(store.calls.length).toBeGreaterThan(0);
    expect(store.calls.every(c => c.providerId === 'file:test')).toBe(true);
  });

  it('keeps the records of a folder that is not declared a full export', async () => {
    const store = new StoredIds();
    const file = path.join(tmp.dir, 'a.ndjson');
    await writeLines(file, [record(1), record(2)]);
    const first = await collect(provider(undefined, false), null, { store });
    await writeLines(file, [record(1)]);
    const second = await collect(
      provider(undefined, false),
      lastCursor(first, null),
      { store },
    );
    await rm(file);
    const third = await collect(
      provider(undefined, false),
      lastCursor(second, null),
      { store },
    );
    expect(deletions([...first, ...second, ...third])).toEqual([]);
    expect(store.calls).toEqual([]);
    expect(store.ids('file:test')).toEqual(rs(1, 2));
    expect(JSON.parse(lastCursor(third, null)!)).toEqual({
      version: 1,
      files: {},
    });
  });

  it('deletes nothing when run on its own, without the stored ids', async () => {
    await writeLines(path.join(tmp.dir, 'a.ndjson'), [record(1)]);
    const logger = createCapturingLogger();
    const batches = await collect(provider(), null, { logger });
    expect(deletions(batches)).toEqual([]);
    expect(JSON.parse(lastCursor(batches, null)!).reconciled).toBeUndefined();
    expect(logger.text()).toContain('the provider runs on its own');
  });
});
