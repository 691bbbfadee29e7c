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

import { InputError } from '@backstage/errors';

export type SortOrder = 'asc' | 'desc';

/** Where a page of `listRecords` ended: the (opened_at, id) of its last row. */
export interface PageCursor {
  openedAt: number;
  id: string;
  order: SortOrder;
}

/** The opaque text a client passes back as `cursor`. */
export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(
    JSON.stringify({ o: cursor.openedAt, i: cursor.id, d: cursor.order }),
  ).toString('base64url');
}

/** Reads a cursor, refusing one that is malformed or of the other order. */
export function decodeCursor(text: string, order: SortOrder): PageCursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new InputError('Invalid cursor');
  }
  const { o, i, d } = (value ?? {}) as Record<string, unknown>;
  if (typeof o !== 'number' || !Number.isFinite(o) || typeof i !== 'string') {
    throw new InputError('Invalid cursor');
  }
  if (d !== order) {
    throw new InputError(`The cursor belongs to a listing in ${d} order`);
  }
  return { openedAt: o, id: i, order };
}
