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

import type { SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  readItsmDurationMs,
  readItsmSchedule,
} from '@backstage-itsm/plugin-itsm-node';
import { DEFAULT_PAGERDUTY_MAX_REQUESTS_PER_SECOND } from '../client';

/** The config key that holds the PagerDuty accounts, keyed by id. */
export const PAGERDUTY_CONFIG_KEY = 'itsm.providers.pagerduty';

/** PagerDuty's REST API. */
export const DEFAULT_BASE_URL = 'https://api.pagerduty.com';
/** PagerDuty's largest page (`limit`). */
export const MAX_PAGE_SIZE = 100;
/** Seconds one request may take, response body included. */
export const DEFAULT_TIMEOUT_SECONDS = 30;
/** How far each incremental run reaches back before its watermark. */
export const DEFAULT_OVERLAP_SECONDS = 120;
/** Days of history the first run reads when `since` is not set. */
export const DEFAULT_HISTORY_DAYS = 365;
/** Incidents whose details (log entries, related changes) are read at once. */
export const DEFAULT_CONCURRENCY = 4;
/** Incidents up to this priority get their related change events read. */
export const DEFAULT_CAUSED_BY_CHANGE_MAX_PRIORITY = 2;
/**
 * The correlation reasons PagerDuty documents for
 * `GET /incidents/{id}/related_change_events` (`correlation_reason.reason`):
 * machine learning, the latest change on the incident's service, a change on
 * a service it depends on. In this order of preference.
 */
export const PAGERDUTY_CORRELATION_REASONS = [
  'intelligent',
  'most_recent',
  'related_service',
] as const;
/**
 * Correlation reasons that link a related change event to the incident as
 * its cause: every reason PagerDuty documents. The link is a heuristic.
 */
export const DEFAULT_CAUSED_BY_CHANGE_REASONS: ReadonlyArray<string> =
  PAGERDUTY_CORRELATION_REASONS;
/** PagerDuty's incident urgencies. */
export const PAGERDUTY_URGENCIES = ['high', 'low'] as const;
/** A PagerDuty urgency. */
export type PagerDutyUrgency = (typeof PAGERDUTY_URGENCIES)[number];
/**
 * The priority (1..5) of an incident without a PagerDuty priority, by its
 * urgency; null leaves it empty.
 */
export type PagerDutyUrgencyPriority = Readonly<
  Record<PagerDutyUrgency, number | null>
>;
/**
 * Urgency says how to notify (page now, or in working hours), not impact:
 * high maps to 3 and low to 4, so a page without a priority never counts as
 * an outage at the default outage threshold (P1 and P2).
 */
export const DEFAULT_URGENCY_PRIORITY: PagerDutyUrgencyPriority = {
  high: 3,
  low: 4,
};
/** Seconds one request may keep retrying 429s, 5xx and timeouts, waits included. */
export const DEFAULT_RETRY_BUDGET_SECONDS = 300;
/** How often recently resolved incidents are read again: 6 hours. */
export const DEFAULT_REREAD_RESOLVED_EVERY_MS = 6 * 3600_000;
/** Which resolved incidents are read again: those resolved in the last 7 days. */
export const DEFAULT_REREAD_RESOLVED_WITHIN_MS = 7 * 24 * 3600_000;

/** One `itsm.providers.pagerduty.<id>` block, read and checked. */
export interface PagerDutyAccountConfig {
  /** The config key, e.g. `main`. */
  key: string;
  /** The provider and ownership source id, `pagerduty:<key>`. */
  id: string;
  /** The full config path of the block, for messages. */
  configPath: string;
  token: string;
  /** Without a trailing slash. */
  baseUrl: string;
  schedule?: SchedulerServiceTaskScheduleDefinition;
  /** Start of history on the first run (UTC ISO); undefined: 365 days before it. */
  since?: string;
  pageSize: number;
  timeoutMs: number;
  overlapMs: number;
  concurrency: number;
  /** Only these services (incidents, change events, ownership); undefined: all. */
  serviceIds?: string[];
  causedByChange: { maxPriority: number; reasons: string[] };
  /** Priority of incidents without a PagerDuty priority, by urgency. */
  urgencyPriority: PagerDutyUrgencyPriority;
  retryBudgetMs: number;
  maxRequestsPerSecond: number;
  /** Re-read incidents resolved within `withinMs`, every `everyMs`. */
  rereadResolved: { everyMs: number; withinMs: number };
}

const ISO_WITH_ZONE =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

function invalid(path: string, reason: string): never {
  throw new InputError(`Invalid config at ${path}: ${reason}`);
}

function readInteger(
  c: Config,
  key: string,
  prefix: string,
  fallback: number,
  min: number,
  max: number,
): number {
  // getOptionalNumber names the full key when the value is not a number.
  const value = c.getOptionalNumber(key);
  if (value === undefined) {
    return fallback;
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    invalid(
      `${prefix}.${key}`,
      `must be an integer from ${min} to ${max}, got ${value}`,
    );
  }
  return value;
}

function readPositiveNumber(
  c: Config,
  key: string,
  prefix: string,
  fallback: number,
  max: number,
): number {
  const value = c.getOptionalNumber(key);
  if (value === undefined) {
    return fallback;
  }
  if (!Number.isFinite(value) || value <= 0 || value > max) {
    invalid(
      `${prefix}.${key}`,
      `must be a number above 0 and at most ${max}, got ${value}`,
    );
  }
  return value;
}

/**
 * `causedByChange.reasons`: PagerDuty's documented correlation reasons only,
 * since a reason PagerDuty never sends (such as `cause`) silently links
 * nothing and the change failure rate of PagerDuty changes reads 0.
 */
function readReasons(caused: Config | undefined, prefix: string): string[] {
  const reasons = caused?.getOptionalStringArray('reasons');
  if (reasons === undefined) {
    return [...DEFAULT_CAUSED_BY_CHANGE_REASONS];
  }
  const known: ReadonlyArray<string> = PAGERDUTY_CORRELATION_REASONS;
  reasons.forEach((reason, index) => {
    if (!known.includes(reason)) {
      invalid(
        `${prefix}.reasons[${index}]`,
        `'${reason}' is not a correlation reason PagerDuty sends (${known.join(
          ', ',
        )}); leave reasons out for all of them, or set maxPriority: 0 to link none`,
      );
    }
  });
  return [...new Set(reasons)];
}

/**
 * `urgencyPriority`: `high` and `low`, each a priority 1..5 or `none` (YAML
 * null is dropped by the config loader, so it cannot say "empty").
 */
function readUrgencyPriority(
  c: Config,
  prefix: string,
): PagerDutyUrgencyPriority {
  const path = `${prefix}.urgencyPriority`;
  if (!c.has('urgencyPriority')) {
    return { ...DEFAULT_URGENCY_PRIORITY };
  }
  const block = c.getConfig('urgencyPriority');
  const known: ReadonlyArray<string> = PAGERDUTY_URGENCIES;
  for (const key of block.keys()) {
    if (!known.includes(key)) {
      invalid(
        `${path}.${key}`,
        `PagerDuty urgencies are ${PAGERDUTY_URGENCIES.join(' and ')}`,
      );
    }
  }
  const read = (urgency: PagerDutyUrgency): number | null => {
    const value = block.getOptional(urgency);
    if (value === undefined) return DEFAULT_URGENCY_PRIORITY[urgency];
    if (value === 'none') return null;
    const text = typeof value === 'number' ? String(value) : value;
    if (typeof text === 'string' && /^[1-5]$/.test(text.trim())) {
      return Number(text.trim());
    }
    return invalid(
      `${path}.${urgency}`,
      `must be a priority from 1 to 5 or 'none', got ${JSON.stringify(value)}`,
    );
  };
  return { high: read('high'), low: read('low') };
}

/**
 * Reads `itsm.providers.pagerduty.<id>` blocks. Every mistake throws, naming
 * the key at fault, so a broken config fails the backend's start instead of
 * a sync hours later.
 */
export function readPagerDutyConfigs(config: Config): PagerDutyAccountConfig[] {
  const root = config.getOptionalConfig(PAGERDUTY_CONFIG_KEY);
  if (!root) {
    return [];
  }
  return root.keys().map(key => {
    const prefix = `${PAGERDUTY_CONFIG_KEY}.${key}`;
    const c = root.getConfig(key);

    // getString names the full key in its own errors (missing, wrong type).
    const token = c.getString('token');
    if (token.trim() === '') {
      invalid(`${prefix}.token`, 'must not be empty');
    }

    const rawBaseUrl = c.getOptionalString('baseUrl') ?? DEFAULT_BASE_URL;
    let baseUrl: URL;
    try {
      baseUrl = new URL(rawBaseUrl);
    } catch {
      return invalid(`${prefix}.baseUrl`, `'${rawBaseUrl}' is not a URL`);
    }
    if (baseUrl.protocol !== 'https:' && baseUrl.protocol !== 'http:') {
      invalid(`${prefix}.baseUrl`, 'must be an http(s) URL');
    }

    let since: string | undefined;
    const rawSince = c.getOptionalString('since');
    if (rawSince !== undefined) {
      const ms = Date.parse(rawSince);
      if (!ISO_WITH_ZONE.test(rawSince) || Number.isNaN(ms)) {
        invalid(
          `${prefix}.since`,
          `'${rawSince}' is not an ISO 8601 instant with a zone, e.g. 2025-01-01T00:00:00Z`,
        );
      }
      since = new Date(ms).toISOString();
    }

    const pageSize = readInteger(
      c,
      'pageSize',
      prefix,
      MAX_PAGE_SIZE,
      1,
      MAX_PAGE_SIZE,
    );
    const timeoutSeconds = readInteger(
      c,
      'timeoutSeconds',
      prefix,
      DEFAULT_TIMEOUT_SECONDS,
      1,
      3600,
    );
    const overlapSeconds = readInteger(
      c,
      'overlapSeconds',
      prefix,
      DEFAULT_OVERLAP_SECONDS,
      0,
      86400,
    );
    const concurrency = readInteger(
      c,
      'concurrency',
      prefix,
      DEFAULT_CONCURRENCY,
      1,
      16,
    );

    let serviceIds: string[] | undefined;
    if (c.has('serviceIds')) {
      serviceIds = c.getStringArray('serviceIds').map(s => s.trim());
      serviceIds.forEach((id, index) => {
        if (id === '') {
          invalid(`${prefix}.serviceIds[${index}]`, 'must not be empty');
        }
      });
      if (serviceIds.length === 0) {
        invalid(
          `${prefix}.serviceIds`,
          'must list at least one service id; leave it out to read every service',
        );
      }
    }

    const caused = c.getOptionalConfig('causedByChange');
    const causedByChange = {
      maxPriority: caused
        ? readInteger(
            caused,
            'maxPriority',
            `${prefix}.causedByChange`,
            DEFAULT_CAUSED_BY_CHANGE_MAX_PRIORITY,
            0,
            5,
          )
        : DEFAULT_CAUSED_BY_CHANGE_MAX_PRIORITY,
      reasons: readReasons(caused, `${prefix}.causedByChange`),
    };
    const urgencyPriority = readUrgencyPriority(c, prefix);

    const retryBudgetSeconds = readInteger(
      c,
      'retryBudgetSeconds',
      prefix,
      DEFAULT_RETRY_BUDGET_SECONDS,
      1,
      86400,
    );
    const maxRequestsPerSecond = readPositiveNumber(
      c,
      'maxRequestsPerSecond',
      prefix,
      DEFAULT_PAGERDUTY_MAX_REQUESTS_PER_SECOND,
      1000,
    );

    const reread = c.getOptionalConfig('rereadResolved');
    const rereadPrefix = `${prefix}.rereadResolved`;
    const rereadResolved = {
      everyMs: reread
        ? readItsmDurationMs(reread, 'every', {
            prefix: rereadPrefix,
            fallback: DEFAULT_REREAD_RESOLVED_EVERY_MS,
          })
        : DEFAULT_REREAD_RESOLVED_EVERY_MS,
      withinMs: reread
        ? readItsmDurationMs(reread, 'within', {
            prefix: rereadPrefix,
            fallback: DEFAULT_REREAD_RESOLVED_WITHIN_MS,
          })
        : DEFAULT_REREAD_RESOLVED_WITHIN_MS,
    };

    const schedule = readItsmSchedule(c, prefix);

    return {
      key,
      id: `pagerduty:${key}`,
      configPath: prefix,
      token,
      baseUrl: baseUrl.toString().replace(/\/+$/, ''),
      schedule,
      since,
      pageSize,
      timeoutMs: timeoutSeconds * 1000,
      overlapMs: overlapSeconds * 1000,
      concurrency,
      serviceIds,
      causedByChange,
      urgencyPriority,
      retryBudgetMs: retryBudgetSeconds * 1000,
      maxRequestsPerSecond,
      rereadResolved,
    };
  });
}
