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
import { InputError } from '@backstage/errors';
import { readItsmDurationMs, readItsmSchedule } from './readers';

const PREFIX = 'itsm.providers.example.main';

describe('readItsmDurationMs', () => {
  const read = (data: object, allowZero?: boolean) =>
    readItsmDurationMs(new ConfigReader(data), 'overlap', {
      prefix: PREFIX,
      fallback: 1234,
      allowZero,
    });

  it('returns the fallback when the key is absent', () => {
    expect(read({})).toBe(1234);
  });

  it.each([
    [{ minutes: 5 }, 300_000],
    ['5m', 300_000],
    ['PT5M', 300_000],
    ['P1D', 86_400_000],
  ])('reads %p', (value, ms) => {
    expect(read({ overlap: value })).toBe(ms);
  });

  it('names the full key and keeps the cause when the value is not a duration', () => {
    expect(() => read({ overlap: 'soon' })).toThrow(InputError);
    expect(() => read({ overlap: 'soon' })).toThrow(
      /^Invalid config at itsm\.providers\.example\.main\.overlap: expected a duration such as \{ hours: 24 \}, 24h or P1D; caused by /,
    );
  });

  it('refuses zero unless allowZero', () => {
    expect(() => read({ overlap: '0s' })).toThrow(
      `Invalid config at ${PREFIX}.overlap: must be a duration longer than zero`,
    );
    expect(read({ overlap: '0s' }, true)).toBe(0);
  });

  it('refuses a negative duration even with allowZero', () => {
    expect(() => read({ overlap: { seconds: -1 } }, true)).toThrow(
      `Invalid config at ${PREFIX}.overlap: must be a duration of zero or more`,
    );
  });
});

describe('readItsmSchedule', () => {
  it('returns undefined when there is no schedule', () => {
    expect(readItsmSchedule(new ConfigReader({}), PREFIX)).toBeUndefined();
  });

  it('reads a schedule', () => {
    expect(
      readItsmSchedule(
        new ConfigReader({
          schedule: { frequency: { minutes: 30 }, timeout: { minutes: 5 } },
        }),
        PREFIX,
      ),
    ).toEqual({ frequency: { minutes: 30 }, timeout: { minutes: 5 } });
  });

  it('names the schedule key and the cause when the schedule is invalid', () => {
    expect(() =>
      readItsmSchedule(
        new ConfigReader({ schedule: { frequency: { minutes: 30 } } }),
        PREFIX,
      ),
    ).toThrow(
      /^Invalid config at itsm\.providers\.example\.main\.schedule; caused by .*timeout/,
    );
  });
});
