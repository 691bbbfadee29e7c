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

import { parseCursor, serializeCursor, withOverlap } from './cursor';

const cursor = {
  v: 1 as const,
  updates: { from: '2026-03-10T00:00:00Z' },
  incidents: {
    from: '2026-03-01T00:00:00Z',
    window: { until: '2026-03-10T00:00:00Z', offset: 200 },
  },
  changes: { from: '2026-01-01T00:00:00Z' },
};

describe('cursor', () => {
  it('round-trips', () => {
    expect(parseCursor(serializeCursor(cursor))).toEqual(cursor);
  });

  it.each([
    [null],
    [''],
    ['not json'],
    ['42'],
    ['{"v":2}'],
    [JSON.stringify({ ...cursor, updates: { from: 'yesterday' } })],
    [
      JSON.stringify({
        ...cursor,
        incidents: { from: cursor.incidents.from, window: { offset: -1 } },
      }),
    ],
  ])('refuses %j', value => {
    expect(parseCursor(value)).toBeUndefined();
  });

  it('round-trips the re-read of resolved incidents, and reads cursors without it', () => {
    const withReread = {
      ...cursor,
      reread: {
        last: '2026-03-09T18:00:00Z',
        current: { at: '2026-03-10T00:00:00Z', offset: 300 },
      },
    };
    expect(parseCursor(serializeCursor(withReread))).toEqual(withReread);
    expect(parseCursor(serializeCursor(cursor))?.reread).toBeUndefined();
  });

  it.each([
    [{ last: 'yesterday' }, undefined],
    [{ current: { at: '2026-03-10T00:00:00Z', offset: -1 } }, undefined],
    [
      { last: '2026-03-09T18:00:00Z', current: { offset: 3 } },
      { last: '2026-03-09T18:00:00Z' },
    ],
    ['soon', undefined],
  ])(
    'drops a re-read position it cannot read (%j), keeping the rest',
    (reread, expected) => {
      const parsed = parseCursor(JSON.stringify({ ...cursor, reread }));
      expect(parsed).toMatchObject({ updates: cursor.updates });
      expect(parsed?.reread).toEqual(expected);
    },
  );

  it('overlaps a finished stream, not one stopped inside a window', () => {
    expect(withOverlap(cursor.updates, 120_000)).toEqual({
      from: '2026-03-09T23:58:00.000Z',
    });
    expect(withOverlap(cursor.incidents, 120_000)).toBe(cursor.incidents);
    expect(withOverlap(cursor.updates, 0)).toBe(cursor.updates);
  });
});
