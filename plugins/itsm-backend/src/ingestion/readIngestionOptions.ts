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

import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';
import type { IngestionEngineOptions } from './IngestionEngine';

const RETRY_BUDGET_KEY = 'itsm.ingestion.retryBudget';

/**
 * The engine's options under `itsm.ingestion`: `retryBudget`, a duration
 * (`{ minutes: 5 }`, `5m`, `PT5M`) or a number of milliseconds.
 */
export function readIngestionOptions(
  config: Config,
): Pick<IngestionEngineOptions, 'retryBudgetMs'> {
  const value = config.getOptional(RETRY_BUDGET_KEY);
  if (value === undefined) {
    return {};
  }
  const ms =
    typeof value === 'number'
      ? value
      : durationToMilliseconds(
          readDurationFromConfig(config, { key: RETRY_BUDGET_KEY }),
        );
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new InputError(
      `Invalid config at ${RETRY_BUDGET_KEY}: expected a positive duration such as 5m or { minutes: 5 }, or milliseconds`,
    );
  }
  return { retryBudgetMs: ms };
}
