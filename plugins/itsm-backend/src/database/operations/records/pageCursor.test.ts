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

import { decodeCursor, encodeCursor } from './pageCursor';

describe('page cursors', () => {
  it('round-trips the last row of a page', () => {
    const cursor = {
      openedAt: 1767225600000,
      id: 'r-1',
      order: 'asc' as const,
    };
    const text = encodeCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text, 'asc')).toEqual(cursor);
  });

  it('refuses malformed cursors and those of the other order', () => {
    expect(() => decodeCursor('not base64 json', 'desc')).toThrow(
      'Invalid cursor',
    );
    const missingId = Buffer.from(JSON.stringify({ o: 1, d: 'desc' })).toString(
      'base64url',
    );
    expect(() => decodeCursor(missingId, 'desc')).toThrow('Invalid cursor');
    const asc = encodeCursor({ openedAt: 1, id: 'x', order: 'asc' });
    expect(() => decodeCursor(asc, 'desc')).toThrow(
      'The cursor belongs to a listing in asc order',
    );
  });
});
