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

import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { Duration } from 'luxon';

/**
 * Options of {@link readItsmDurationMs}.
 * @public
 */
export interface ReadItsmDurationOptions {
  /** The config path of the `config` read, such as `itsm.providers.file.demo`; errors name `<prefix>.<key>`. */
  prefix: string;
  /** The milliseconds returned when the key is absent. */
  fallback: number;
  /** Accept a zero duration (an overlap of none); by default a duration must be longer than zero. */
  allowZero?: boolean;
}

/**
 * Reads an optional duration (`{ hours: 12 }`, `12h` or `PT12H`) in
 * milliseconds. Throws an `InputError` that names the full config key when
 * the value is not a duration, or is zero (unless `allowZero`) or negative.
 * @public
 */
export function readItsmDurationMs(
  config: Config,
  key: string,
  options: ReadItsmDurationOptions,
): number {
  if (!config.has(key)) {
    return options.fallback;
  }
  const path = `${options.prefix}.${key}`;
  let ms: number;
  try {
    ms = Duration.fromObject(readDurationFromConfig(config, { key })).as(
      'milliseconds',
    );
  } catch (error) {
    // InputError appends "; caused by <error>" to the message.
    throw new InputError(
      `Invalid config at ${path}: expected a duration such as { hours: 24 }, 24h or P1D`,
      error,
    );
  }
  const tooShort = options.allowZero ? ms < 0 : ms <= 0;
  if (!Number.isFinite(ms) || tooShort) {
    throw new InputError(
      `Invalid config at ${path}: must be a duration ${
        options.allowZero ? 'of zero or more' : 'longer than zero'
      }, such as { hours: 24 }, 24h or P1D`,
    );
  }
  return ms;
}

/**
 * Reads the optional task schedule at `<prefix>.schedule`, or `undefined`
 * when there is none, so that the caller falls back to its default
 * schedule. Throws an `InputError` that names `<prefix>.schedule` and the
 * scheduler's own reason when the schedule is invalid.
 * @public
 */
export function readItsmSchedule(
  config: Config,
  prefix: string,
): SchedulerServiceTaskScheduleDefinition | undefined {
  if (!config.has('schedule')) {
    return undefined;
  }
  try {
    return readSchedulerServiceTaskScheduleDefinitionFromConfig(
      config.getConfig('schedule'),
    );
  } catch (error) {
    // InputError appends "; caused by <error>" to the message.
    throw new InputError(`Invalid config at ${prefix}.schedule`, error);
  }
}
