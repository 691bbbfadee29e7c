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

import { ConfigReader } from '@backstage/config';
import type { JsonValue } from '@backstage/types';
import { readIngestionOptions } from './readIngestionOptions';

function read(retryBudget: JsonValue) {
  return readIngestionOptions(
    new ConfigReader({ itsm: { ingestion: { retryBudget } } }),
  );
}

describe('readIngestionOptions', () => {
  it('leaves the default when nothing is configured', () => {
    expect(readIngestionOptions(new ConfigReader({}))).toEqual({});
  });

  it.each([
    [{ minutes: 2 }, 120_000],
    ['90s', 90_000],
    ['PT10M', 600_000],
    [45_000, 45_000],
  ])('reads the retry budget %j as %d ms', (value, ms) => {
    expect(read(value)).toEqual({ retryBudgetMs: ms });
  });

  it.each([[0], [-5], ['soon'], [{ fortnights: 1 }]])(
    'refuses %j, naming the key',
    value => {
      expect(() => read(value)).toThrow(/itsm\.ingestion\.retryBudget/);
    },
  );
});
