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

import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ITSM_REDACTED } from '@backstage-itsm/plugin-itsm-common';
import type { JsonObject } from '@backstage/config';
import type { ItsmProviderBatch } from '@backstage-itsm/plugin-itsm-node';
import { createCapturingLogger } from '@backstage-itsm/plugin-itsm-node/testUtils';
import {
  ItsmMappedProvider,
  ItsmMappedProviderOptions,
} from './ItsmMappedProvider';
import {
  PERSONAL_VALUES,
  readSource,
  ROW,
  sourceConfig,
} from './testUtils/fixtures';
import { StoredIds } from './testUtils/storedIds';

const COLUMNS = Object.keys(ROW);

function csvCell(value: string): string {
  return /[",\n;]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A CSV of ROW-like rows; each row overrides ROW's cells. */
function csv(rows: Array<Record<string, string>>, delimiter = ','): string {
  return [
    COLUMNS.map(csvCell).join(delimiter),
    ...rows.map(r =>
      COLUMNS.map(c => csvCell({ ...ROW, ...r }[c] ?? '')).join(delimiter),
    ),
  ].join('\n');
}

/** Row n: case HRC000000n, updated n hours after the first. */
function row(n: number, extra: Record<string, string> = {}) {
  const updated = new Date(Date.parse('2026-02-23T00:00:00Z') + n * 3600_000);
  return {
    'Case ID': `HRC${String(n).padStart(7, '0')}`,
    'Last Modified': updated.toISOString(),
    ...extra,
  };
}

const NOW = Date.parse('2026-03-01T00:00:00Z');

/** The folder of each test's export. */
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'itsm-mapped-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Runs one sync to its end, or until `limit` batches were taken. With a
 * `store`, the sync may list its stored ids there, and each batch is
 * committed to it as the engine would.
 */
async function runSync(
  p: ItsmMappedProvider,
  cursor: string | null,
  options: {
    limit?: number;
    store?: StoredIds;
    afterBatch?: () => Promise<void>;
  } = {},
) {
  const logger = createCapturingLogger();
  const batches: ItsmProviderBatch[] = [];
  for await (const batch of p.sync({
    cursor,
    signal: new AbortController().signal,
    logger,
    listStoredExternalIds: options.store?.listStoredExternalIds(p.id),
  })) {
    batches.push(batch);
    options.store?.apply(p.id, batch);
    await options.afterBatch?.();
    if (options.limit && batches.length >= options.limit) break;
  }
  const last = [...batches].reverse().find(b => b.cursor !== undefined);
  return { batches, logger, cursor: last?.cursor ?? cursor };
}

describe('ItsmMappedProvider (CSV)', () => {
  function provider(
    extra: JsonObject = {},
    options: ItsmMappedProviderOptions = {},
  ) {
    return new ItsmMappedProvider(
      readSource(sourceConfig({ csv: { path: dir }, ...extra })),
      { now: () => NOW, ...options },
    );
  }

  const sync = (
    p: ItsmMappedProvider,
    cursor: string | null,
    options: { limit?: number } = {},
  ) => runSync(p, cursor, options);

  const ids = (batches: ItsmProviderBatch[]) =>
    batches.flatMap(b =>
      (b.records as Array<Record<string, unknown>>).map(
        r => (r.externalId as string) ?? `error: ${r.__error}`,
      ),
    );

  it('reads every CSV of a folder in name order, in batches', async () => {
    await writeFile(path.join(dir, 'b.csv'), csv([row(3), row(4), row(5)]));
    await writeFile(path.join(dir, 'a.csv'), csv([row(1), row(2)]));
    await writeFile(path.join(dir, '.partial.csv'), csv([row(9)]));
    await writeFile(path.join(dir, 'notes.txt'), 'ignored');
    const { batches, cursor } = await sync(provider({ batchSize: 2 }), null);
    expect(batches.map(b => b.records!.length)).toEqual([2, 2, 1]);
    expect(ids(batches)).toEqual([
      'HRC0000001',
      'HRC0000002',
      'HRC0000003',
      'HRC0000004',
      'HRC0000005',
    ]);
    expect(JSON.parse(cursor!)).toMatchObject({
      watermark: '2026-02-23T05:00:00.000Z',
      run: null,
    });
  });

  it('reads one file with its own delimiter', async () => {
    const file = path.join(dir, 'export.csv');
    await writeFile(file, csv([row(1), row(2)], ';'));
    const { batches } = await sync(
      provider({ csv: { path: file, delimiter: ';' } }),
      null,
    );
    expect(ids(batches)).toEqual(['HRC0000001', 'HRC0000002']);
    expect(batches[0].records![0]).toMatchObject({ state: 'resolved' });
  });

  it('reads only what changed since the watermark, less the overlap', async () => {
    const file = path.join(dir, 'export.csv');
    await writeFile(file, csv([row(1), row(2), row(3)]));
    const first = await sync(provider({ overlap: { minutes: 30 } }), null);
    expect(ids(first.batches)).toHaveLength(3);

    // Row 2 changed; row 3 is unchanged but inside the overlap (read again,
    // harmlessly); row 1 is older; row 4 is new.
    await writeFile(
      file,
      csv([
        row(1),
        row(2, { 'Last Modified': '2026-02-23T06:00:00Z' }),
        row(3),
        row(4),
      ]),
    );
    const second = await sync(
      provider({ overlap: { minutes: 30 } }),
      first.cursor,
    );
    expect(ids(second.batches)).toEqual([
      'HRC0000002',
      'HRC0000003',
      'HRC0000004',
    ]);
    expect(JSON.parse(second.cursor!).watermark).toBe(
      '2026-02-23T06:00:00.000Z',
    );
    expect(second.logger.text()).toContain(
      'updated since 2026-02-23T02:30:00.000Z',
    );
    expect(second.logger.text()).toContain('left out 1 unchanged');

    // Nothing new: only what lies in the overlap, and the same watermark.
    const third = await sync(
      provider({ overlap: { minutes: 30 } }),
      second.cursor,
    );
    expect(ids(third.batches)).toEqual(['HRC0000002']);
    expect(third.cursor).toBe(second.cursor);
  });

  it('resumes after the last committed batch with the same filter, and moves the watermark only at the end', async () => {
    // Out of order: the newest row comes first.
    await writeFile(
      path.join(dir, 'export.csv'),
      csv([row(9), row(1), row(2), row(3), row(4)]),
    );
    const p = provider({ batchSize: 2 });
    const partial = await sync(p, null, { limit: 1 });
    expect(ids(partial.batches)).toEqual(['HRC0000009', 'HRC0000001']);
    expect(JSON.parse(partial.cursor!)).toMatchObject({
      watermark: null,
      run: { since: null, max: '2026-02-23T09:00:00.000Z' },
    });
    const rest = await sync(p, partial.cursor);
    expect(ids(rest.batches)).toEqual([
      'HRC0000002',
      'HRC0000003',
      'HRC0000004',
    ]);
    expect(JSON.parse(rest.cursor!)).toMatchObject({
      watermark: '2026-02-23T09:00:00.000Z',
      run: null,
    });
  });

  it('reads a file that changed since an interrupted run from its start', async () => {
    const file = path.join(dir, 'export.csv');
    await writeFile(file, csv([row(1), row(2), row(3)]));
    const p = provider({ batchSize: 2 });
    const partial = await sync(p, null, { limit: 1 });
    await writeFile(file, csv([row(5), row(1), row(2), row(3)]));
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    const rest = await sync(p, partial.cursor);
    expect(ids(rest.batches)).toEqual([
      'HRC0000005',
      'HRC0000001',
      'HRC0000002',
      'HRC0000003',
    ]);
  });

  it('reads everything again when the mapping changes, or the cursor is not its own', async () => {
    await writeFile(path.join(dir, 'export.csv'), csv([row(1), row(2)]));
    const noOverlap = { overlap: { seconds: 0 } };
    const first = await sync(provider(noOverlap), null);
    // Only the row at the watermark again: ties are read, never skipped.
    expect(
      ids((await sync(provider(noOverlap), first.cursor)).batches),
    ).toEqual(['HRC0000002']);
    const changed = await sync(
      provider({
        ...noOverlap,
        defaultEntityRef: 'system:default/hr-services',
      }),
      first.cursor,
    );
    expect(ids(changed.batches)).toEqual(['HRC0000001', 'HRC0000002']);
    expect(changed.logger.text()).toContain('changed since its last sync');
    const foreign = await sync(provider(), '{"version":1,"files":{}}');
    expect(ids(foreign.batches)).toHaveLength(2);
  });

  it('never moves the watermark past the clock', async () => {
    await writeFile(
      path.join(dir, 'export.csv'),
      csv([row(1), row(2, { 'Last Modified': '2030-01-01T00:00:00Z' })]),
    );
    const { cursor } = await sync(provider(), null);
    expect(JSON.parse(cursor!).watermark).toBe('2026-02-23T01:00:00.000Z');
  });

  it('passes rows it cannot read on to be dead-lettered, with the line and no cell', async () => {
    const lines = csv([row(1), row(2)]).split('\n');
    lines.splice(
      2,
      0,
      'Hannah Whitfield,hannah.whitfield@northwind.example,only three',
    );
    await writeFile(path.join(dir, 'export.csv'), lines.join('\n'));
    const { batches } = await sync(provider(), null);
    expect(ids(batches)).toEqual([
      'HRC0000001',
      `error: test:demo: line 3 of export.csv has 3 cells, expected ${COLUMNS.length}`,
      'HRC0000002',
    ]);
  });

  it('keeps personal values out of records, payloads, errors and logs', async () => {
    const lines = csv([
      row(1),
      row(2, {
        Created: 'not a date',
        Status: 'Escalated',
        Priority: 'Whenever',
      }),
    ]).split('\n');
    lines.push('Marcus Lee,E-4821,hannah.whitfield@northwind.example');
    await writeFile(path.join(dir, 'export.csv'), lines.join('\n'));
    const { batches, logger } = await sync(
      provider({
        personalFields: [
          ...(sourceConfig().personalFields as string[]),
          'Home Address',
        ],
      }),
      null,
    );
    const output = JSON.stringify(batches);
    expect(output).toContain(ITSM_REDACTED);
    for (const value of PERSONAL_VALUES) {
      expect(output).not.toContain(value);
      expect(logger.text()).not.toContain(value);
    }
    // A personal field no column has is likely a typo: say so.
    expect(logger.text()).toContain(
      "personal field 'Home Address' is not a column of export.csv",
    );
  });

  it('fails the sync naming the path when it does not exist', async () => {
    await expect(
      sync(provider({ csv: { path: path.join(dir, 'missing.csv') } }), null),
    ).rejects.toThrow(
      `ITSM source test:demo: ${path.join(dir, 'missing.csv')} does not exist`,
    );
  });
});

describe('ItsmMappedProvider (full CSV export)', () => {
  function provider(extra: JsonObject = {}, fullExport = true) {
    return new ItsmMappedProvider(
      readSource(sourceConfig({ csv: { path: dir, fullExport }, ...extra })),
      { now: () => NOW },
    );
  }

  /** One sync as the engine runs it: each batch committed to `store`. */
  async function sync(
    p: ItsmMappedProvider,
    store: StoredIds,
    cursor: string | null,
    options: { limit?: number; afterBatch?: () => Promise<void> } = {},
  ) {
    const result = await runSync(p, cursor, { ...options, store });
    return {
      ...result,
      deleted: result.batches.flatMap(b => b.deletions ?? []),
      ids: result.batches.flatMap(b =>
        (b.records as Array<{ externalId?: string }>).map(
          r => r.externalId ?? '(unreadable)',
        ),
      ),
    };
  }

  const caseIds = (...ns: number[]) =>
    ns.map(n => `HRC${String(n).padStart(7, '0')}`);

  it('yields the records a changed export no longer holds as deletions, and reads an unchanged one no more', async () => {
    const store = new StoredIds({ pageCap: 2 });
    await writeFile(path.join(dir, 'a.csv'), csv([row(1), row(2), row(3)]));
    await writeFile(path.join(dir, 'b.csv'), csv([row(4), row(5)]));
    const first = await sync(provider(), store, null);
    expect(first.ids).toEqual(caseIds(1, 2, 3, 4, 5));
    // Nothing stored was missing: no deletions on the first read either.
    expect(first.deleted).toEqual([]);
    expect(store.ids('test:demo')).toEqual(caseIds(1, 2, 3, 4, 5));

    store.calls.length = 0;

    // Case 2 deleted in the HR system; case 4 too, with all of b.csv
    // rewritten; case 6 is new.
    await writeFile(path.join(dir, 'a.csv'), csv([row(1), row(3)]));
    await writeFile(path.join(dir, 'b.csv'), csv([row(5), row(6)]));
    const second = await sync(provider({ batchSize: 1 }), store, first.cursor);
    expect(second.deleted).toEqual([
      { externalId: 'HRC0000002', reason: 'export' },
      { externalId: 'HRC0000004', reason: 'export' },
    ]);
    expect(second.ids).toEqual(caseIds(5, 6));
    expect(store.ids('test:demo')).toEqual(caseIds(1, 3, 5, 6));
    // At most batchSize deletions a batch; the stored ids read a page at a time.
    expect(second.batches.every(b => (b.deletions?.length ?? 0) <= 1)).toBe(
      true,
    );
    expect(
      store.calls.map(c => [c.providerId, c.kind, c.after ?? null]),
    ).toEqual([
      ['test:demo', 'request', null],
      ['test:demo', 'request', 'HRC0000002'],
      ['test:demo', 'request', 'HRC0000004'],
      ['test:demo', 'request', 'HRC0000006'],
    ]);
    expect(JSON.parse(second.cursor!)).toMatchObject({
      export: expect.stringMatching(/^[0-9a-f]{40}$/),
      run: null,
    });
    expect(second.logger.text()).toContain('2 deleted at the source');

    // Unchanged: not read, nothing asked, nothing yielded.
    store.calls.length = 0;
    const third = await sync(provider(), store, second.cursor);
    expect(third.batches).toEqual([]);
    expect(store.calls).toEqual([]);
    expect(third.logger.text()).toContain('the export is unchanged');
  });

  it('deletes nothing when a row cannot be parsed, and catches up once the export reads whole', async () => {
    const store = new StoredIds();
    const file = path.join(dir, 'export.csv');
    await writeFile(file, csv([row(1), row(2), row(3)]));
    const first = await sync(provider(), store, null);

    const lines = csv([row(1), row(3)]).split('\n');
    lines.splice(2, 0, 'HRC0000002,a row,cut short');
    await writeFile(file, lines.join('\n'));
    const broken = await sync(provider(), store, first.cursor);
    expect(broken.deleted).toEqual([]);
    expect(broken.ids).toContain('(unreadable)');
    expect(store.ids('test:demo')).toEqual(caseIds(1, 2, 3));
    expect(broken.logger.text()).toContain(
      'not looking for records deleted at the source in this run: a row could not be read',
    );
    expect(JSON.parse(broken.cursor!).export).toBeUndefined();

    await writeFile(file, csv([row(1), row(3)]));
    const fixed = await sync(provider(), store, broken.cursor);
    expect(fixed.deleted).toEqual([
      { externalId: 'HRC0000002', reason: 'export' },
    ]);
  });

  it('deletes nothing while the export has no file or an empty one, or when it changes during the read', async () => {
    const store = new StoredIds();
    await writeFile(path.join(dir, 'a.csv'), csv([row(1), row(2)]));
    await writeFile(path.join(dir, 'b.csv'), csv([row(3)]));
    const first = await sync(provider(), store, null);

    // An export job has truncated b.csv and not yet written it.
    await writeFile(path.join(dir, 'b.csv'), '');
    const truncated = await sync(provider(), store, first.cursor);
    expect(truncated.deleted).toEqual([]);
    expect(truncated.logger.text()).toContain(
      'the export has no file, or an empty one',
    );
    // Then removed every file before writing the new ones.
    await rm(path.join(dir, 'a.csv'));
    await rm(path.join(dir, 'b.csv'));
    const emptied = await sync(provider(), store, truncated.cursor);
    expect(emptied.deleted).toEqual([]);
    expect(store.ids('test:demo')).toEqual(caseIds(1, 2, 3));

    await writeFile(path.join(dir, 'a.csv'), csv([row(1), row(2)]));
    await writeFile(path.join(dir, 'b.csv'), csv([row(4)]));
    const changing = await sync(
      provider({ batchSize: 1 }),
      store,
      emptied.cursor,
      {
        afterBatch: async () => {
          await utimes(path.join(dir, 'a.csv'), new Date(), new Date());
        },
      },
    );
    expect(changing.deleted).toEqual([]);
    expect(changing.logger.text()).toContain(
      'the export changed while it was read',
    );
    expect(store.ids('test:demo')).toEqual(caseIds(1, 2, 3, 4));

    const settled = await sync(provider(), store, changing.cursor);
    expect(settled.deleted).toEqual([
      { externalId: 'HRC0000003', reason: 'export' },
    ]);
  });

  it('looks for deletions only in a read from the start, never in a resumed one', async () => {
    const store = new StoredIds();
    const file = path.join(dir, 'export.csv');
    await writeFile(file, csv([row(1), row(2), row(3), row(4)]));
    const first = await sync(provider(), store, null);

    // Cases 1 to 3 changed since, case 4 was deleted.
    const later = { 'Last Modified': '2026-02-24T00:00:00Z' };
    await writeFile(file, csv([row(1, later), row(2, later), row(3, later)]));
    const partial = await sync(
      provider({ batchSize: 1 }),
      store,
      first.cursor,
      {
        limit: 1,
      },
    );
    const resumed = await sync(
      provider({ batchSize: 1 }),
      store,
      partial.cursor,
    );
    expect(partial.ids).toEqual(caseIds(1));
    expect(resumed.ids).toEqual(caseIds(2, 3));
    expect(resumed.deleted).toEqual([]);
    expect(resumed.logger.text()).toContain(
      'this run resumed an interrupted one',
    );

    const next = await sync(provider(), store, resumed.cursor);
    expect(next.deleted).toEqual([
      { externalId: 'HRC0000004', reason: 'export' },
    ]);
  });

  it("never touches another provider's records, and only asks for its own", async () => {
    const store = new StoredIds();
    // Another source (of HR or elsewhere) with ids this export lacks.
    store.add('test:other', 'request', ...caseIds(2, 7, 8));
    await writeFile(path.join(dir, 'export.csv'), csv([row(1), row(2)]));
    const first = await sync(provider(), store, null);
    await writeFile(path.join(dir, 'export.csv'), csv([row(1)]));
    const second = await sync(provider(), store, first.cursor);

    expect(second.deleted).toEqual([
      { externalId: 'HRC0000002', reason: 'export' },
    ]);
    expect(store.ids('test:other')).toEqual(caseIds(2, 7, 8));
    expect(store.calls.every(c => c.providerId === 'test:demo')).toBe(true);
    expect(store.calls.every(c => c.kind === 'request')).toBe(true);
  });

  it('keeps records missing from an export that is not declared full', async () => {
    const store = new StoredIds();
    const file = path.join(dir, 'export.csv');
    await writeFile(file, csv([row(1), row(2)]));
    const first = await sync(provider({}, false), store, null);
    await writeFile(file, csv([row(1)]));
    const second = await sync(provider({}, false), store, first.cursor);
    expect(second.deleted).toEqual([]);
    expect(store.calls).toEqual([]);
    expect(store.ids('test:demo')).toEqual(caseIds(1, 2));
    expect(JSON.parse(second.cursor!).export).toBeUndefined();
  });

  it('deletes nothing when run on its own, without the stored ids', async () => {
    await writeFile(path.join(dir, 'export.csv'), csv([row(1)]));
    const batches: ItsmProviderBatch[] = [];
    const logger = createCapturingLogger();
    for await (const batch of provider().sync({
      cursor: null,
      signal: new AbortController().signal,
      logger,
    })) {
      batches.push(batch);
    }
    expect(batches.flatMap(b => b.deletions ?? [])).toEqual([]);
    expect(
      JSON.parse(batches[batches.length - 1].cursor!).export,
    ).toBeUndefined();
    expect(logger.text()).toContain('the provider runs on its own');
  });
});
