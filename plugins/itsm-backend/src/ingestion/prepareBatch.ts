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
  describeValidationError,
  itsmFeedbackInputSchema,
  itsmRecordInputSchema,
  ItsmNormalisedFeedback,
} from '@backstage-itsm/plugin-itsm-common';
import { z } from 'zod';
import type {
  CommitBatchInput,
  RecordDeletion,
  RecordToStore,
  ResolvedEntity,
} from '../database/ItsmStore';

/** How far ahead of now a source instant may lie (clock skew) before it is refused. */
export const FUTURE_TOLERANCE_MS = 24 * 60 * 60 * 1000;

const RECORD_INSTANTS = [
  'openedAt',
  'acknowledgedAt',
  'resolvedAt',
  'closedAt',
  'impactStart',
  'impactEnd',
  'actualStart',
  'actualEnd',
  'sourceUpdatedAt',
] as const;

/** A deletion as providers yield it (`ItsmProviderDeletion`). */
const deletionSchema = z.object({
  externalId: z.string().min(1),
  deletedAt: z.iso
    .datetime({ offset: true })
    .transform(value => new Date(value).toISOString())
    .nullish(),
  reason: z.enum(['audit', 'reconciliation', 'export']),
});

function externalIdOf(raw: unknown): string | null {
  if (raw && typeof raw === 'object' && 'externalId' in raw) {
    const id = (raw as { externalId: unknown }).externalId;
    if (typeof id === 'string' && id) return id;
    if (typeof id === 'number') return String(id);
  }
  return null;
}

/**
 * The userinfo (`user:password@`) of a record's `url`, as written in the
 * source, or undefined when it has none.
 */
function urlCredentials(raw: unknown): string | undefined {
  if (!raw || typeof raw !== 'object' || !('url' in raw)) return undefined;
  const url = (raw as { url: unknown }).url;
  if (typeof url !== 'string') return undefined;
  const match = /^[^:/?#]+:\/\/([^/?#]*)@/.exec(url.trim());
  return match ? `${match[1]}@` : undefined;
}

/**
 * A dead letter keeps the item it refused, but never the credentials that
 * were the reason: the userinfo of its `url` is masked wherever the item
 * repeats it (the raw source payload usually does).
 */
function withoutUrlCredentials(raw: unknown): unknown {
  const credentials = urlCredentials(raw);
  if (!credentials) return raw;
  const masked = (text: string) => text.split(credentials).join('***@');
  try {
    const json = JSON.stringify(raw);
    // The credentials as they appear inside a JSON string literal.
    const escaped = JSON.stringify(credentials).slice(1, -1);
    return JSON.parse(json.split(escaped).join('***@'));
  } catch {
    const item = raw as { url: string };
    return { ...item, url: masked(item.url) };
  }
}

/**
 * Validates the items of a provider batch. Valid records get their entities;
 * every invalid item becomes a dead letter naming the fields at fault. Nothing
 * is dropped: `records + feedback + deletions + deadLetters` accounts for
 * every item.
 */
export function prepareBatch(options: {
  providerId: string;
  department: string;
  records?: unknown[];
  feedback?: unknown[];
  deletions?: unknown[];
  cursor?: string | null;
  resolve: (input: {
    entityRefs: string[];
    mappings: Array<{ annotation: string; value: string }>;
  }) => ResolvedEntity[];
  now?: number;
}): CommitBatchInput {
  const now = options.now ?? Date.now();
  const latestAllowed = now + FUTURE_TOLERANCE_MS;
  const records: RecordToStore[] = [];
  const feedback: ItsmNormalisedFeedback[] = [];
  const deletions: RecordDeletion[] = [];
  const deadLetters: CommitBatchInput['deadLetters'] = [];

  /** The parsed item, or undefined after dead-lettering it with the reason. */
  function validate<T extends z.ZodType>(
    schema: T,
    raw: unknown,
  ): z.output<T> | undefined {
    const parsed = schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    deadLetters.push({
      externalId: externalIdOf(raw),
      payload: withoutUrlCredentials(raw),
      error: describeValidationError(parsed.error),
    });
    return undefined;
  }

  for (const raw of options.records ?? []) {
    const record = validate(itsmRecordInputSchema, raw);
    if (!record) continue;
    const future = RECORD_INSTANTS.filter(
      field =>
        record[field] !== null && Date.parse(record[field]!) > latestAllowed,
    );
    if (future.length > 0) {
      deadLetters.push({
        externalId: record.externalId,
        payload: raw,
        error: future
          .map(field => `${field}: ${record[field]} is in the future`)
          .join('; '),
      });
      continue;
    }
    records.push({ record, entities: options.resolve(record) });
  }

  for (const raw of options.feedback ?? []) {
    const answer = validate(itsmFeedbackInputSchema, raw);
    if (!answer) continue;
    if (Date.parse(answer.respondedAt) > latestAllowed) {
      deadLetters.push({
        externalId: answer.externalId,
        payload: raw,
        error: `respondedAt: ${answer.respondedAt} is in the future`,
      });
      continue;
    }
    feedback.push(answer);
  }

  // A deletion without its instant was noticed now.
  const noticedAt = new Date(now).toISOString();
  for (const raw of options.deletions ?? []) {
    const deletion = validate(deletionSchema, raw);
    if (!deletion) continue;
    if (deletion.deletedAt && Date.parse(deletion.deletedAt) > latestAllowed) {
      deadLetters.push({
        externalId: deletion.externalId,
        payload: raw,
        error: `deletedAt: ${deletion.deletedAt} is in the future`,
      });
      continue;
    }
    deletions.push({
      externalId: deletion.externalId,
      deletedAt: deletion.deletedAt ?? noticedAt,
      reason: deletion.reason,
    });
  }

  return {
    providerId: options.providerId,
    department: options.department,
    records,
    feedback,
    deletions,
    deadLetters,
    cursor: options.cursor,
  };
}
