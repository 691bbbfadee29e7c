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

import { z } from 'zod';

/** Record kinds. `request` covers service requests, HR cases and work orders. @public */
export const ITSM_RECORD_KINDS = [
  'incident',
  'change',
  'problem',
  'request',
] as const;
/** @public */
export type ItsmRecordKind = (typeof ITSM_RECORD_KINDS)[number];

/** Normalised lifecycle states (DESIGN.md section 4). @public */
export const ITSM_RECORD_STATES = [
  'new',
  'in_progress',
  'on_hold',
  'resolved',
  'closed',
  'cancelled',
] as const;
/** @public */
export type ItsmRecordState = (typeof ITSM_RECORD_STATES)[number];

/** @public */
export const ITSM_CHANGE_TYPES = ['standard', 'normal', 'emergency'] as const;
/** @public */
export type ItsmChangeType = (typeof ITSM_CHANGE_TYPES)[number];

/** @public */
export const ITSM_CHANGE_OUTCOMES = [
  'successful',
  'successful_with_issues',
  'failed',
  'cancelled',
] as const;
/** @public */
export type ItsmChangeOutcome = (typeof ITSM_CHANGE_OUTCOMES)[number];

/** @public */
export const ITSM_SLA_KINDS = ['response', 'resolution'] as const;
/** @public */
export const ITSM_SLA_STAGES = [
  'in_progress',
  'paused',
  'completed',
  'breached',
  'cancelled',
] as const;

/** @public */
export const ITSM_FEEDBACK_SCALES = ['csat5', 'nps10'] as const;

/**
 * An instant: ISO 8601 with a UTC designator or an offset, normalised to a
 * UTC ISO string (`2026-01-02T03:04:05.000Z`). Local times without an offset
 * are refused: they are ambiguous.
 */
const instant = z.iso
  .datetime({ offset: true })
  .transform(value => new Date(value).toISOString());

const optionalInstant = instant.nullish().transform(v => v ?? null);
const optionalText = z
  .string()
  .nullish()
  .transform(v => v ?? null);

/**
 * Why `value` may not be a link to a record in its source, or undefined when
 * it may: it must be an absolute `http` or `https` URL without credentials
 * (`user:password@`). The check parses the URL as browsers do, so
 * `java\tscript:` and leading blanks do not slip through.
 * @public
 */
export function describeUnsafeItsmUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') {
    return 'must be a string';
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http or https URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `must be an http or https URL, not ${url.protocol}`;
  }
  if (url.username || url.password) {
    return 'must not carry credentials (user:password@)';
  }
  return undefined;
}

/**
 * Whether `value` is a URL the portal may link to: see
 * {@link describeUnsafeItsmUrl}. Records with any other URL are refused on
 * ingestion; the frontend shows rows stored before as text.
 * @public
 */
export function isSafeItsmUrl(value: unknown): value is string {
  return describeUnsafeItsmUrl(value) === undefined;
}

/** A record's link to its source: absolute http(s), no credentials. */
const recordUrl = z.string().superRefine((value, ctx) => {
  const reason = describeUnsafeItsmUrl(value);
  if (reason) {
    ctx.addIssue({ code: 'custom', message: reason });
  }
});

/**
 * How a provider says which catalog entities a record belongs to: an
 * annotation and the value an entity must list in it (comma-separated lists
 * allowed), e.g. `{ annotation: 'pagerduty.com/service-id', value: 'PX1' }`.
 * @public
 */
export const itsmEntityMappingSchema = z.object({
  annotation: z.string().min(1),
  value: z.string().min(1),
});

/** An SLA attached to a record, as the source's SLA engine reports it. @public */
export const itsmSlaInputSchema = z.object({
  name: z.string().min(1),
  kind: z.enum(ITSM_SLA_KINDS),
  targetSeconds: z
    .number()
    .int()
    .nonnegative()
    .nullish()
    .transform(v => v ?? null),
  stage: z.enum(ITSM_SLA_STAGES),
  breached: z.boolean(),
  startAt: instant,
  endAt: optionalInstant,
  /** When a running SLA breaches, if it has not been stopped. */
  breachAt: optionalInstant,
  businessElapsedSeconds: z
    .number()
    .nonnegative()
    .nullish()
    .transform(v => v ?? null),
});

/**
 * A normalised ITSM record as a provider yields it. Validated by the
 * ingestion engine; a record that fails lands in dead letters with the reason.
 * @public
 */
export const itsmRecordInputSchema = z
  .object({
    externalId: z.string().min(1),
    kind: z.enum(ITSM_RECORD_KINDS),
    number: optionalText,
    title: z.string().min(1),
    url: recordUrl.nullish().transform(v => v ?? null),
    state: z.enum(ITSM_RECORD_STATES),
    priority: z
      .number()
      .int()
      .min(1)
      .max(5)
      .nullish()
      .transform(v => v ?? null),
    openedAt: instant,
    acknowledgedAt: optionalInstant,
    resolvedAt: optionalInstant,
    closedAt: optionalInstant,
    impactStart: optionalInstant,
    impactEnd: optionalInstant,
    changeType: z
      .enum(ITSM_CHANGE_TYPES)
      .nullish()
      .transform(v => v ?? null),
    plannedStart: optionalInstant,
    plannedEnd: optionalInstant,
    actualStart: optionalInstant,
    actualEnd: optionalInstant,
    outcome: z
      .enum(ITSM_CHANGE_OUTCOMES)
      .nullish()
      .transform(v => v ?? null),
    /** External id, in the same provider, of the change that caused this incident. */
    causedByChange: optionalText,
    /** External id, in the same provider, of the problem this record belongs to. */
    problemId: optionalText,
    reopenCount: z
      .number()
      .int()
      .nonnegative()
      .nullish()
      .transform(v => v ?? 0),
    assignmentGroup: optionalText,
    assignee: optionalText,
    /** The source's last-modified instant; an older version never overwrites a newer one. */
    sourceUpdatedAt: instant,
    /** Catalog entities named directly by the provider (its own mapping rule). */
    entityRefs: z.array(z.string().min(1)).default([]),
    /** Annotation values that map this record to catalog entities. */
    mappings: z.array(itsmEntityMappingSchema).default([]),
    slas: z.array(itsmSlaInputSchema).default([]),
    /** The raw source record, kept for audit and re-normalisation. */
    payload: z.unknown().optional(),
  })
  .superRefine((record, ctx) => {
    if (record.kind !== 'change') {
      for (const field of ['changeType', 'outcome'] as const) {
        if (record[field] !== null) {
          ctx.addIssue({
            code: 'custom',
            path: [field],
            message: `${field} is only valid on changes, not on a ${record.kind}`,
          });
        }
      }
    }
  });

/** @public */
export type ItsmRecordInput = z.input<typeof itsmRecordInputSchema>;
/** A validated, normalised record (UTC instants, nulls filled in). @public */
export type ItsmNormalisedRecord = z.output<typeof itsmRecordInputSchema>;
/** @public */
export type ItsmSlaInput = z.output<typeof itsmSlaInputSchema>;
/** @public */
export type ItsmEntityMapping = z.output<typeof itsmEntityMappingSchema>;

/** A CSAT/NPS/XLA survey answer. @public */
export const itsmFeedbackInputSchema = z
  .object({
    externalId: z.string().min(1),
    /** External id of the record the answer is about, in the same provider. */
    recordExternalId: optionalText,
    /** The entity the answer is about, when it is not tied to a record. */
    entityRef: optionalText,
    scale: z.enum(ITSM_FEEDBACK_SCALES),
    score: z.number().int(),
    respondedAt: instant,
    comment: optionalText,
  })
  .superRefine((fb, ctx) => {
    const max = fb.scale === 'csat5' ? 5 : 10;
    const min = fb.scale === 'csat5' ? 1 : 0;
    if (fb.score < min || fb.score > max) {
      ctx.addIssue({
        code: 'custom',
        path: ['score'],
        message: `score ${fb.score} is outside ${min}..${max} of scale ${fb.scale}`,
      });
    }
    if (!fb.recordExternalId && !fb.entityRef) {
      ctx.addIssue({
        code: 'custom',
        path: ['recordExternalId'],
        message: 'feedback needs recordExternalId or entityRef',
      });
    }
  });

/** @public */
export type ItsmFeedbackInput = z.input<typeof itsmFeedbackInputSchema>;
/** @public */
export type ItsmNormalisedFeedback = z.output<typeof itsmFeedbackInputSchema>;

/**
 * Explains a zod failure in one line that names the fields, e.g.
 * `openedAt: Invalid ISO datetime; priority: Too big: expected number to be <=5`.
 * @public
 */
export function describeValidationError(error: z.ZodError): string {
  return error.issues
    .map(
      issue =>
        `${issue.path.length ? issue.path.join('.') : '(root)'}: ${
          issue.message
        }`,
    )
    .join('; ');
}
