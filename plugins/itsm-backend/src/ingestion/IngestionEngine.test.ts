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

import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  ItsmProvider,
  ItsmProviderSyncContext,
  ItsmSourceError,
} from '@backstage-itsm/plugin-itsm-node';
import { InMemoryItsmProvider } from '@backstage-itsm/plugin-itsm-node/testUtils';
import { Knex } from 'knex';
import { change, fixtureEntities, incident } from '../__testUtils__/records';
import { DatabaseItsmStore } from '../database/DatabaseItsmStore';
import {
  everyNth,
  FlakyItsmProvider,
} from '../__testUtils__/FlakyItsmProvider';
import { EntityResolver } from './EntityResolver';
import { IngestionEngine, IngestionEngineOptions } from './IngestionEngine';
import { PushProvider } from './readPushProviders';

jest.setTimeout(60_000);

const databaseIds = ['SQLITE_3', 'POSTGRES_15'] as const;
const databases = TestDatabases.create({ ids: [...databaseIds] });

const unsupported = databaseIds.filter(id => !databases.supports(id));
if (unsupported.length > 0) {
  describe.each(unsupported)('IngestionEngine on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}

describe.each(databases.eachSupportedId())(
  'IngestionEngine on %s',
  databaseId => {
    let knex: Knex;

    async function setup(
      provider: ItsmProvider,
      options: Partial<IngestionEngineOptions> = {},
    ) {
      const store = await DatabaseItsmStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
      const auditor = mockServices.auditor.mock();
      const auditorEvent = { success: jest.fn(), fail: jest.fn() };
      auditor.createEvent.mockResolvedValue(auditorEvent);
      const resolver = new EntityResolver({
        catalog: catalogServiceMock({ entities: fixtureEntities }),
        auth: mockServices.auth(),
        logger: mockServices.logger.mock(),
      });
      const engine = new IngestionEngine({
        store,
        resolver,
        scheduler: mockServices.scheduler.mock(),
        auditor,
        logger: mockServices.logger.mock(),
        backoffBaseMs: 1,
        ...options,
      });
      engine.register(provider);
      return { store, engine, auditor, auditorEvent };
    }

    beforeEach(async () => {
      knex = await databases.init(databaseId);
    });

    it('commits every batch with its cursor and maps records to entities', async () => {
      const provider = new InMemoryItsmProvider({ id: 'sn:corp' })
        .addBatch({
          records: [
            incident({ externalId: 'a' }),
            incident({ externalId: 'b' }),
          ],
        })
        .addBatch({
          records: [
            change({
              externalId: 'c',
              mappings: [
                { annotation: 'servicenow.com/ci-sysid', value: 'ci-shared' },
              ],
            }),
          ],
        });
      const { store, engine, auditorEvent } = await setup(provider);

      await expect(engine.run('sn:corp')).resolves.toEqual({
        read: 3,
        upserted: 3,
        unchanged: 0,
        deadLettered: 0,
        deleted: 0,
      });
      expect(await store.getCursor('sn:corp')).toBe('2');
      expect(auditorEvent.success).toHaveBeenCalledTimes(1);

      const { items } = await store.listRecords({
        entityRefs: ['component:default/payments-api'],
        limit: 10,
      });
      expect(items.map(r => r.externalId).sort()).toEqual(['a', 'b', 'c']);
      const shared = items.find(r => r.externalId === 'c')!;
      expect(shared.entityRefs.sort()).toEqual([
        'component:default/checkout-web',
        'component:default/payments-api',
      ]);

      const [status] = await store.listSyncStatus();
      expect(status).toMatchObject({
        providerId: 'sn:corp',
        lastError: null,
        lastRun: {
          read: 3,
          upserted: 3,
          unchanged: 0,
          deadLettered: 0,
          deleted: 0,
        },
        totals: { records: 3, deadLetters: 0, tombstones: 0 },
      });

      // A second run reads nothing new; the same batches again change nothing.
      await engine.run('sn:corp');
      expect(provider.syncCursors).toEqual([null, '2']);
      await knex('sync_state').update({ cursor: null });
      await expect(engine.run('sn:corp')).resolves.toMatchObject({
        upserted: 0,
        unchanged: 3,
      });
      expect((await store.listRecords({ limit: 10 })).items).toHaveLength(3);
    });

    it('dead-letters bad items with the field named and lands the rest of the batch', async () => {
      const future = new Date(Date.now() + 7 * 24 * 3600_000).toISOString();
      const provider = new InMemoryItsmProvider({ id: 'sn:corp' }).addBatch({
        records: [
          incident({ externalId: 'good' }),
          { ...incident({ externalId: 'bad-state' }), state: 'exploded' },
          { ...incident({ externalId: 'bad-time' }), openedAt: 'yesterday' },
          incident({
            externalId: 'future',
            openedAt: future,
            sourceUpdatedAt: future,
          }),
          'not even an object',
          // Out of order (resolved before opened) is stored: metrics report it as data quality.
          incident({
            externalId: 'out-of-order',
            resolvedAt: '2026-03-01T09:00:00Z',
          }),
        ],
        feedback: [
          {
            externalId: 'f1',
            recordExternalId: 'good',
            scale: 'csat5',
            score: 5,
            respondedAt: '2026-03-02T10:00:00Z',
          },
          {
            externalId: 'f2',
            recordExternalId: 'good',
            scale: 'csat5',
            score: 9,
            respondedAt: '2026-03-02T10:00:00Z',
          },
        ],
      });
      const { store, engine } = await setup(provider);

      await expect(engine.run('sn:corp')).resolves.toEqual({
        read: 8,
        upserted: 2,
        unchanged: 0,
        deadLettered: 5,
        deleted: 0,
      });
      const letters = await store.listDeadLetters({
        providerId: 'sn:corp',
        limit: 10,
      });
      const byId = Object.fromEntries(
        letters.map(l => [l.externalId ?? '(none)', l.error]),
      );
      expect(byId['bad-state']).toMatch(/^state: /);
      expect(byId['bad-time']).toMatch(/^openedAt: /);
      expect(byId.future).toMatch(/openedAt: .* is in the future/);
      expect(byId['(none)']).toMatch(/\(root\)/);
      expect(byId.f2).toMatch(/^score: score 9 is outside 1\.\.5/);
      expect(
        (await store.listRecords({ limit: 10 })).items
          .map(r => r.externalId)
          .sort(),
      ).toEqual(['good', 'out-of-order']);
    });

    it('keeps committed batches when a provider fails mid-stream and resumes after them', async () => {
      const provider = new InMemoryItsmProvider({ id: 'sn:corp' })
        .addBatch({ records: [incident({ externalId: 'a' })] })
        .addBatch({ records: [incident({ externalId: 'b' })] })
        .addBatch({ records: [incident({ externalId: 'c' })] })
        .failAt(2, new Error('connection reset by a proxy'));
      const { store, engine, auditorEvent } = await setup(provider);

      await expect(engine.run('sn:corp')).rejects.toThrow(
        'connection reset by a proxy',
      );
      expect(await store.getCursor('sn:corp')).toBe('2');
      const [failed] = await store.listSyncStatus();
      expect(failed.lastError).toMatch(/connection reset by a proxy/);
      expect(failed.lastRun).toMatchObject({ read: 2, upserted: 2 });
      expect(auditorEvent.fail).toHaveBeenCalledTimes(1);

      // A backend restart: a new store and engine on the same database.
      const restarted = await setup(provider);
      await expect(restarted.engine.run('sn:corp')).resolves.toMatchObject({
        read: 1,
        upserted: 1,
      });
      expect(provider.syncCursors).toEqual([null, '2']);
      const { items } = await restarted.store.listRecords({ limit: 10 });
      expect(items.map(r => r.externalId).sort()).toEqual(['a', 'b', 'c']);
      const [ok] = await restarted.store.listSyncStatus();
      expect(ok.lastError).toBeNull();
    });

    it('retries a transient failure within the run, from the last committed batch', async () => {
      const provider = new InMemoryItsmProvider({ id: 'sn:corp' })
        .addBatch({ records: [incident({ externalId: 'a' })] })
        .addBatch({ records: [incident({ externalId: 'b' })] })
        .failAt(
          1,
          Object.assign(new Error('429 Too Many Requests'), {
            status: 429,
            retryAfterMs: 5,
          }),
        );
      const { store, engine } = await setup(provider);

      await expect(engine.run('sn:corp')).resolves.toMatchObject({
        read: 2,
        upserted: 2,
      });
      expect(provider.syncCursors).toEqual([null, '1']);
      expect((await store.listRecords({ limit: 10 })).items).toHaveLength(2);
    });

    it('stores a record served twice in one sync once, keeping the newest version', async () => {
      const newer = incident({
        externalId: 'dup',
        title: 'newer',
        sourceUpdatedAt: '2026-03-02T00:00:00Z',
      });
      const older = {
        ...newer,
        title: 'older',
        sourceUpdatedAt: '2026-03-01T00:00:00Z',
      };
      const provider = new InMemoryItsmProvider({ id: 'sn:corp' })
        .addBatch({ records: [older, newer] })
        .addBatch({ records: [older] });
      const { store, engine } = await setup(provider);

      await engine.run('sn:corp');
      const { items } = await store.listRecords({ limit: 10 });
      expect(items).toHaveLength(1);
      expect(items[0].title).toBe('newer');
    });

    it('lets pushes race for the same key without duplicates', async () => {
      const provider = new PushProvider('push:tools', 'it', ['incident']);
      const { store, engine } = await setup(provider);
      const record = incident({ externalId: 'race' });

      await Promise.all([
        engine.ingest('push:tools', { records: [record] }),
        engine.ingest('push:tools', {
          records: [{ ...record, title: 'same time' }],
        }),
        engine.ingest('push:tools', { records: [record] }),
      ]);
      const { items } = await store.listRecords({ limit: 10 });
      expect(items).toHaveLength(1);
      expect(Number((await knex('records').count({ n: '*' }))[0].n)).toBe(1);
    });

    describe('pushes', () => {
      it('writes only into push providers, never into a polled one', async () => {
        const polled = new InMemoryItsmProvider({
          id: 'hr:demo',
          department: 'hr',
          kinds: ['request'],
        }).addBatch({
          records: [
            incident({
              externalId: 'HR-1',
              kind: 'request',
              title: 'from the source',
            }),
          ],
        });
        const { store, engine } = await setup(polled);
        engine.register(new PushProvider('push:tools', 'it', ['incident']));
        await engine.run('hr:demo');

        const overwrite = incident({
          externalId: 'HR-1',
          kind: 'request',
          title: 'pushed over it',
          sourceUpdatedAt: new Date().toISOString(),
          entityRefs: ['component:default/checkout-web'],
        });
        await expect(
          engine.ingest('hr:demo', { records: [overwrite] }),
        ).rejects.toMatchObject({
          name: 'NotFoundError',
          message:
            "'hr:demo' is not a push provider: its module syncs it from its source, and only providers declared under itsm.providers.push accept pushes",
        });
        await expect(
          engine.ingest('push:nope', { records: [overwrite] }),
        ).rejects.toMatchObject({
          name: 'NotFoundError',
          message: expect.stringMatching(
            /^No push provider with id 'push:nope'/,
          ),
        });
        const { items } = await store.listRecords({ limit: 10 });
        expect(items.map(r => [r.externalId, r.title])).toEqual([
          ['HR-1', 'from the source'],
        ]);
      });

      it('refuses a whole push with a kind or department its provider does not declare', async () => {
        const { store, engine } = await setup(
          new PushProvider('push:tools', 'it', ['incident', 'change']),
        );
        const records = [
          incident(),
          change(),
          incident(),
          incident({ kind: 'problem' }),
          { ...incident(), department: 'hr' },
          { ...incident(), department: 'it' },
        ];

        await expect(
          engine.ingest('push:tools', { records }),
        ).rejects.toMatchObject({
          name: 'InputError',
          message:
            "Invalid body: records.3.kind: push:tools accepts incident, change, not problem; records.4.department: records of push:tools belong to department 'it'; leave it out",
        });
        expect((await store.listRecords({ limit: 10 })).items).toEqual([]);

        // The same push without the two mismatches lands, the matching department included.
        await expect(
          engine.ingest('push:tools', {
            records: records.filter((_, i) => i !== 3 && i !== 4),
          }),
        ).resolves.toMatchObject({ upserted: 4, deadLettered: 0 });
        const stored = await store.listRecords({ limit: 10 });
        expect(stored.items.map(r => r.department)).toEqual([
          'it',
          'it',
          'it',
          'it',
        ]);
      });

      it('names at most ten refusals and counts the rest', async () => {
        const { engine } = await setup(
          new PushProvider('push:tools', 'it', ['incident']),
        );
        const records = Array.from({ length: 25 }, () => change());
        const error: Error = await engine
          .ingest('push:tools', { records })
          .then(() => {
            throw new Error('expected a refusal');
          })
          .catch(e => e);
        expect(error.message.match(/records\.\d+\.kind/g)).toHaveLength(10);
        expect(error.message).toMatch(/records\.9\.kind: [^;]+; and 15 more$/);
      });

      it('dead-letters a pushed version from beyond the clock-skew allowance, keeping the stored one', async () => {
        const { store, engine } = await setup(
          new PushProvider('push:tools', 'it', ['incident']),
        );
        const now = Date.now();
        const hour = 60 * 60 * 1000;
        const stored = incident({
          externalId: 'p1',
          title: 'stored',
          sourceUpdatedAt: new Date(now - hour).toISOString(),
        });
        await engine.ingest('push:tools', { records: [stored] });

        const future = new Date(now + 48 * hour).toISOString();
        await expect(
          engine.ingest('push:tools', {
            records: [
              { ...stored, title: 'from the future', sourceUpdatedAt: future },
            ],
          }),
        ).resolves.toMatchObject({ upserted: 0, deadLettered: 1 });
        const [letter] = await store.listDeadLetters({ limit: 10 });
        expect(letter).toMatchObject({
          externalId: 'p1',
          error: expect.stringContaining(
            `sourceUpdatedAt: ${future} is in the future`,
          ),
        });

        // Within the allowance (clock skew) it lands, and a later real
        // version still replaces it.
        await engine.ingest('push:tools', {
          records: [
            {
              ...stored,
              title: 'skewed',
              sourceUpdatedAt: new Date(now + hour).toISOString(),
            },
          ],
        });
        expect((await store.listRecords({ limit: 10 })).items[0].title).toBe(
          'skewed',
        );
        await engine.ingest('push:tools', {
          records: [
            {
              ...stored,
              title: 'later',
              sourceUpdatedAt: new Date(now + 2 * hour).toISOString(),
            },
          ],
        });
        expect((await store.listRecords({ limit: 10 })).items[0].title).toBe(
          'later',
        );
      });
    });

    async function storedIds(
      store: DatabaseItsmStore,
      providerId: string,
    ): Promise<string[]> {
      const ids: string[] = [];
      for (let after: string | undefined = undefined; ; ) {
        const page = await store.listExternalIds({
          providerId,
          after,
          limit: 700,
        });
        ids.push(...page);
        if (page.length < 700) return ids;
        after = page[page.length - 1];
      }
    }

    async function countRecords(providerId: string): Promise<number> {
      const [{ n }] = await knex('records')
        .where('provider_id', providerId)
        .count({ n: '*' });
      return Number(n);
    }

    describe('runs that make progress keep going', () => {
      it('finishes a run of many batches through a 429 on every 5th request and a 500 on every 7th', async () => {
        const provider = new FlakyItsmProvider({
          id: 'flaky:sn',
          total: 3000,
          pageSize: 25,
          faults: everyNth({ every429: 5, every500: 7, retryAfterMs: 3 }),
        });
        // No jitter: a 500 is retried at once, a 429 after the 3 ms it asks.
        const { store, engine } = await setup(provider, {
          random: () => 0,
          retryBudgetMs: 30_000,
        });

        const counts = await engine.run('flaky:sn');

        // Every record once: none lost, none duplicated, ids as the source has them.
        expect(counts.upserted).toBe(3000);
        expect(counts.deadLettered).toBe(0);
        expect(await countRecords('flaky:sn')).toBe(3000);
        expect(await storedIds(store, 'flaky:sn')).toEqual(
          provider.externalIds(),
        );
        // Resumed attempts re-read the last committed page: unchanged, not stored twice.
        expect(counts.unchanged).toBe(counts.read - 3000);
        expect(counts.unchanged).toBeGreaterThan(0);

        // The faults were as planned, over the whole run, in one run.
        const r = provider.requests;
        const n429 = provider.failures.filter(f => f.status === 429).length;
        const n500 = provider.failures.filter(f => f.status === 500).length;
        expect(r).toBeGreaterThan(160);
        expect(n429).toBe(Math.floor(r / 5));
        expect(n500).toBe(Math.floor(r / 7) - Math.floor(r / 35));
        expect(provider.syncCursors).toHaveLength(n429 + n500 + 1);

        const [status] = await store.listSyncStatus();
        expect(status).toMatchObject({
          providerId: 'flaky:sn',
          lastError: null,
          failedParts: [],
          lastRun: {
            upserted: 3000,
            requests: r,
            retries: n429 + n500,
            waitMs: 3 * n429,
            lastRetryMessage: expect.stringContaining(
              provider.failures[provider.failures.length - 1].message,
            ),
          },
          totals: { records: 3000, tombstones: 0 },
        });
        expect(status.lastSucceededAt).not.toBeNull();
      });

      it('starts the retry budget again at every committed batch', async () => {
        // Every 3rd request fails and asks for 40 ms: 6 failures wait 240 ms
        // in all, more than twice the budget, but never 100 ms without a commit.
        const provider = new FlakyItsmProvider({
          id: 'slow:sn',
          total: 80,
          pageSize: 10,
          faults: n =>
            n % 3 === 0
              ? new ItsmSourceError({
                  message: 'GET /incident answered 429',
                  status: 429,
                  retryable: true,
                  retryAfterMs: 40,
                })
              : undefined,
        });
        const { store, engine } = await setup(provider, {
          retryBudgetMs: 100,
        });

        await expect(engine.run('slow:sn')).resolves.toMatchObject({
          upserted: 80,
        });
        expect(provider.failures).toHaveLength(6);
        const [status] = await store.listSyncStatus();
        expect(status.lastError).toBeNull();
        expect(status.lastRun).toMatchObject({ retries: 6, waitMs: 240 });
      });

      it('fails a run that commits nothing for the whole retry budget', async () => {
        const provider = new FlakyItsmProvider({
          id: 'down:sn',
          total: 10,
          pageSize: 10,
          faults: () =>
            new ItsmSourceError({
              message: 'GET /incident answered 503 Service Unavailable',
              status: 503,
              retryable: true,
            }),
        });
        const { store, engine, auditorEvent } = await setup(provider, {
          retryBudgetMs: 300,
          backoffBaseMs: 20,
        });

        const started = Date.now();
        await expect(engine.run('down:sn')).rejects.toThrow(
          /No progress for \d+ ms \(retry budget 300 ms, \d+ failed attempts since the last new batch\).*503 Service Unavailable/,
        );
        const elapsed = Date.now() - started;
        expect(elapsed).toBeGreaterThanOrEqual(300);
        expect(elapsed).toBeLessThan(3000);
        expect(provider.requests).toBeGreaterThan(3);

        const [status] = await store.listSyncStatus();
        expect(status.lastSucceededAt).toBeNull();
        expect(status.lastError).toMatch(/503 Service Unavailable/);
        expect(status.lastRun.requests).toBe(provider.requests);
        expect(status.lastRun.retries).toBe(provider.requests - 1);
        // No wait went past the budget.
        expect(status.lastRun.waitMs).toBeLessThanOrEqual(300);
        expect(auditorEvent.fail).toHaveBeenCalledTimes(1);
      });

      it('does not count a re-read of the last committed page as progress', async () => {
        // The cursor overlaps one page, and every 2nd request fails: each
        // attempt re-reads the committed page and fails on the next one.
        const provider = new FlakyItsmProvider({
          id: 'stuck:sn',
          total: 100,
          pageSize: 10,
          faults: n =>
            n % 2 === 0
              ? new ItsmSourceError({
                  message: 'GET /incident answered 500',
                  status: 500,
                  retryable: true,
                })
              : undefined,
        });
        const { store, engine } = await setup(provider, {
          retryBudgetMs: 150,
          backoffBaseMs: 5,
        });

        await expect(engine.run('stuck:sn')).rejects.toThrow(
          /No progress for \d+ ms \(retry budget 150 ms/,
        );
        expect(provider.requests).toBeGreaterThan(4);
        expect(await countRecords('stuck:sn')).toBe(10);
        const [status] = await store.listSyncStatus();
        expect(status.lastRun).toMatchObject({ upserted: 10 });
        expect(status.lastRun.unchanged).toBeGreaterThan(10);
      });

      it('fails at once on an error that is not transient, keeping what committed', async () => {
        const provider = new FlakyItsmProvider({
          id: 'denied:sn',
          total: 50,
          pageSize: 10,
          faults: n =>
            n === 3
              ? new ItsmSourceError({
                  message: 'GET /incident answered 403 Forbidden',
                  status: 403,
                  retryable: false,
                })
              : undefined,
        });
        const { store, engine } = await setup(provider, {
          retryBudgetMs: 60_000,
        });

        await expect(engine.run('denied:sn')).rejects.toThrow('403 Forbidden');
        expect(provider.requests).toBe(3);
        expect(provider.syncCursors).toEqual([null]);
        expect(await countRecords('denied:sn')).toBe(20);
        const [status] = await store.listSyncStatus();
        expect(status.lastError).toMatch(/403 Forbidden/);
        expect(status.lastRun).toMatchObject({ retries: 0, requests: 3 });
      });

      it('resumes after a kill mid-run in a new engine, with nothing lost or duplicated', async () => {
        const provider = new FlakyItsmProvider({
          id: 'killed:sn',
          total: 1500,
          pageSize: 25,
          faults: everyNth({ every429: 5, every500: 7, retryAfterMs: 1 }),
        });
        const first = await setup(provider, { random: () => 0 });
        const controller = new AbortController();
        const commit = first.store.commitBatch.bind(first.store);
        let commits = 0;
        // The process dies inside the 20th transaction: that batch never lands.
        jest.spyOn(first.store, 'commitBatch').mockImplementation(input => {
          commits += 1;
          if (commits === 20) {
            controller.abort(new Error('SIGKILL'));
            return Promise.reject(new Error('connection lost: process killed'));
          }
          return commit(input);
        });
        await expect(
          first.engine.run('killed:sn', { signal: controller.signal }),
        ).rejects.toThrow('process killed');
        const storedAtKill = await countRecords('killed:sn');
        expect(storedAtKill).toBeGreaterThan(0);
        expect(storedAtKill).toBeLessThan(1500);
        const cursorAtKill = await first.store.getCursor('killed:sn');
        const runsBefore = provider.syncCursors.length;

        // A backend restart: a new store and engine on the same database.
        const second = await setup(provider, { random: () => 0 });
        const counts = await second.engine.run('killed:sn');

        expect(provider.syncCursors[runsBefore]).toBe(cursorAtKill);
        expect(counts.upserted).toBe(1500 - storedAtKill);
        expect(await countRecords('killed:sn')).toBe(1500);
        expect(await storedIds(second.store, 'killed:sn')).toEqual(
          provider.externalIds(),
        );
        const [status] = await second.store.listSyncStatus();
        expect(status.lastError).toBeNull();
        expect(status.totals.records).toBe(1500);
      });
    });

    describe('the run reporter', () => {
      it("keeps the HTTP layer's and the engine's own retries and waits", async () => {
        let failed = false;
        const provider: ItsmProvider = {
          id: 'observed:sn',
          department: 'it',
          kinds: ['incident'],
          async *sync({ reporter, cursor }: ItsmProviderSyncContext) {
            // What the HTTP layer reports: 3 requests, one retried after 1 s.
            reporter!.request();
            reporter!.request();
            reporter!.retry({
              status: 429,
              waitMs: 1000,
              message: 'Too Many Requests',
            });
            reporter!.request();
            if (cursor === null) {
              yield { records: [incident({ externalId: 'o1' })], cursor: '1' };
            }
            if (!failed) {
              failed = true;
              throw new ItsmSourceError({
                message: 'GET /incident answered 502 Bad Gateway',
                status: 502,
                retryable: true,
              });
            }
            yield { records: [incident({ externalId: 'o2' })], cursor: '2' };
          },
        };
        // Full jitter with a draw of 0.5: the engine's first retry waits half of 10 ms.
        const { store, engine } = await setup(provider, {
          backoffBaseMs: 10,
          random: () => 0.5,
        });

        await engine.run('observed:sn');
        const [status] = await store.listSyncStatus();
        expect(status.lastRun).toEqual({
          read: 2,
          upserted: 2,
          unchanged: 0,
          deadLettered: 0,
          deleted: 0,
          requests: 6,
          retries: 3,
          waitMs: 2005,
          lastRetryMessage: '429: Too Many Requests',
        });

        // The next run starts from zero.
        await engine.run('observed:sn');
        const [next] = await store.listSyncStatus();
        expect(next.lastRun).toMatchObject({
          requests: 3,
          retries: 1,
          waitMs: 1000,
        });
      });

      it('finishes a run whose part failed for good, naming the part until a run without it', async () => {
        let problemsReadable = false;
        const provider: ItsmProvider = {
          id: 'parts:sn',
          department: 'it',
          kinds: ['incident', 'problem'],
          async *sync({ reporter }: ItsmProviderSyncContext) {
            yield { records: [incident({ externalId: 'inc-1' })] };
            if (problemsReadable) {
              yield {
                records: [incident({ externalId: 'prb-1', kind: 'problem' })],
              };
            } else {
              reporter!.partFailed(
                'problem',
                new ItsmSourceError({
                  message:
                    'GET https://corp.service-now.com/api/now/table/problem answered 403 Forbidden',
                  status: 403,
                  retryable: false,
                }),
              );
            }
            yield { records: [incident({ externalId: 'inc-2' })] };
          },
        };
        const { store, engine, auditorEvent } = await setup(provider);

        await expect(engine.run('parts:sn')).resolves.toMatchObject({
          upserted: 2,
        });
        const [partial] = await store.listSyncStatus();
        expect(partial.lastError).toBeNull();
        expect(partial.lastSucceededAt).not.toBeNull();
        expect(partial.failedParts).toEqual([
          {
            part: 'problem',
            error: expect.stringMatching(/problem answered 403 Forbidden/),
          },
        ]);
        expect(auditorEvent.success).toHaveBeenLastCalledWith({
          meta: expect.objectContaining({ failedParts: ['problem'] }),
        });

        problemsReadable = true;
        await engine.run('parts:sn');
        const [whole] = await store.listSyncStatus();
        expect(whole.failedParts).toEqual([]);
        expect(whole.totals.records).toBe(3);
        expect(Date.parse(whole.lastSucceededAt!)).toBeGreaterThanOrEqual(
          Date.parse(partial.lastSucceededAt!),
        );
      });
    });

    it('commits deletions found by reconciliation against the stored ids', async () => {
      const source = new Map(
        ['a', 'b', 'c', 'd', 'e'].map(id => [id, incident({ externalId: id })]),
      );
      const provider: ItsmProvider = {
        id: 'recon:sn',
        department: 'it',
        kinds: ['incident'],
        async *sync({ listStoredExternalIds }: ItsmProviderSyncContext) {
          yield { records: [...source.values()] };
          const missing: string[] = [];
          for (let after: string | undefined = undefined; ; ) {
            const page: string[] = await listStoredExternalIds!({
              kind: 'incident',
              after,
              limit: 2,
            });
            missing.push(...page.filter(id => !source.has(id)));
            if (page.length < 2) break;
            after = page[page.length - 1];
          }
          yield {
            deletions: [
              ...missing.map(externalId => ({
                externalId,
                reason: 'reconciliation' as const,
              })),
              // Malformed deletions are dead letters, never dropped.
              { externalId: '', reason: 'audit' as const },
              { externalId: 'x', reason: 'vanished' } as any,
              {
                externalId: 'y',
                deletedAt: '2099-01-01T00:00:00Z',
                reason: 'audit' as const,
              },
            ],
          };
        },
      };
      const { store, engine } = await setup(provider);

      await expect(engine.run('recon:sn')).resolves.toMatchObject({
        upserted: 5,
        deleted: 0,
        deadLettered: 3,
      });
      const letters = await store.listDeadLetters({
        providerId: 'recon:sn',
        limit: 10,
      });
      expect(letters.map(l => [l.externalId, l.error]).sort()).toEqual([
        [null, expect.stringMatching(/^externalId: /)],
        ['x', expect.stringMatching(/^reason: /)],
        ['y', 'deletedAt: 2099-01-01T00:00:00.000Z is in the future'],
      ]);
      source.delete('b');
      source.delete('d');
      await expect(engine.run('recon:sn')).resolves.toMatchObject({
        upserted: 0,
        unchanged: 3,
        deleted: 2,
      });
      expect(await storedIds(store, 'recon:sn')).toEqual(['a', 'c', 'e']);
      const [status] = await store.listSyncStatus();
      expect(status.lastRun.deleted).toBe(2);
      expect(status.totals).toEqual({
        records: 3,
        deadLetters: 6,
        tombstones: 2,
      });
      const tombstones = await knex('record_tombstones')
        .where('provider_id', 'recon:sn')
        .orderBy('external_id');
      expect(tombstones.map(t => [t.external_id, t.reason])).toEqual([
        ['b', 'reconciliation'],
        ['d', 'reconciliation'],
      ]);

      // Nothing more to reconcile.
      await expect(engine.run('recon:sn')).resolves.toMatchObject({
        deleted: 0,
      });
    });

    it('refuses a second provider with the same id', async () => {
      const { engine } = await setup(
        new InMemoryItsmProvider({ id: 'sn:corp' }),
      );
      expect(() =>
        engine.register(new InMemoryItsmProvider({ id: 'sn:corp' })),
      ).toThrow("ITSM provider 'sn:corp' is registered twice");
    });
  },
);
