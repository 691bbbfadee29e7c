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
  itsmImprovementCreateSchema,
  ItsmImprovement,
  ItsmImprovementCreateRequest,
  ItsmImprovementPriority,
  ItsmImprovementStatus,
  ItsmImprovementUpdateRequest,
} from '@backstage-itsm/plugin-itsm-common';
import {
  metricDefinition,
  normaliseRef,
  parseTarget,
  splitList,
  targetInput,
  todayIso,
} from './improvementModel';

/** The request fields the improvement form shows errors for. */
export const FIELDS = [
  'title',
  'description',
  'ownerRef',
  'entityRefs',
  'priority',
  'dueDate',
  'recordIds',
  'status',
  'comment',
  'metric',
  'metric.metricId',
  'metric.entityRef',
  'metric.target',
  'metric.windowDays',
  'metric.sustainWeeks',
] as const;

export type Field = (typeof FIELDS)[number];
export type Errors = Partial<Record<Field, string>>;

/** What the improvement form holds, as typed. */
export interface FormState {
  title: string;
  description: string;
  ownerRef: string;
  entityRefs: string;
  priority: ItsmImprovementPriority;
  dueDate: string;
  recordIds: string;
  status: ItsmImprovementStatus | '';
  comment: string;
  metricId: string;
  metricEntityRef: string;
  target: string;
  windowDays: string;
  sustainWeeks: string;
}

/** The form's values for a new improvement or one to edit. */
export function initialState(
  initial: Partial<ItsmImprovementCreateRequest> | undefined,
  improvement: ItsmImprovement | undefined,
): FormState {
  const source = improvement ?? initial ?? {};
  const metric = source.metric ?? undefined;
  const unit = metric ? metricDefinition(metric.metricId).unit : 'count';
  return {
    title: source.title ?? '',
    description: source.description ?? '',
    ownerRef: source.ownerRef ?? '',
    entityRefs: (source.entityRefs ?? []).join(', '),
    priority: source.priority ?? 'medium',
    dueDate: source.dueDate ?? '',
    recordIds: improvement
      ? improvement.records.map(r => r.id).join(', ')
      : (initial?.recordIds ?? []).join(', '),
    status: improvement?.status ?? '',
    comment: '',
    metricId: metric?.metricId ?? '',
    metricEntityRef: metric?.entityRef ?? '',
    target: metric ? targetInput(metric.target, unit) : '',
    windowDays: String(metric?.windowDays ?? 30),
    sustainWeeks: String(metric?.sustainWeeks ?? 4),
  };
}

type Body = ItsmImprovementCreateRequest;

/** What the owner field says under it: whom the user may name. */
export function ownerHint(value: string, owners: string[]): string {
  const ref = value.trim() ? normaliseRef(value, 'group') : undefined;
  if (owners.length > 0 && ref && !owners.includes(ref)) {
    return 'Not one of your groups: only ITSM administrators may name it';
  }
  return owners.length > 0
    ? 'One of your groups, or yourself'
    : 'A group or user entity ref';
}

/** How the form names each field in its messages. */
const FIELD_LABEL: Record<Field, string> = {
  title: 'Title',
  description: 'Description',
  ownerRef: 'Owner',
  entityRefs: 'Entities',
  priority: 'Priority',
  dueDate: 'Due date',
  recordIds: 'Motivating records',
  status: 'Status',
  comment: 'Comment',
  metric: 'Metric',
  'metric.metricId': 'Metric',
  'metric.entityRef': 'Measured on',
  'metric.target': 'Target',
  'metric.windowDays': 'Window',
  'metric.sustainWeeks': 'Sustain',
};

/** The form field an issue of the request schema is about. */
function fieldOf(path: readonly PropertyKey[]): Field {
  const [head, sub] = path;
  const name =
    head === 'metric' && typeof sub === 'string' ? `metric.${sub}` : head;
  return FIELDS.find(field => field === name) ?? 'metric';
}

/** The body the form asks for, as typed: the request schema checks it. */
function requestOf(form: FormState, department: string | undefined) {
  const entityRefs = splitList(form.entityRefs);
  let target: number | undefined;
  if (form.metricId) {
    const parsed = parseTarget(
      form.target,
      metricDefinition(form.metricId).unit,
    );
    if ('value' in parsed) target = parsed.value;
  }
  return {
    title: form.title,
    description: form.description.trim(),
    ownerRef: form.ownerRef,
    entityRefs,
    priority: form.priority,
    dueDate: form.dueDate || null,
    recordIds: splitList(form.recordIds),
    metric: form.metricId
      ? {
          metricId: form.metricId,
          entityRef: form.metricEntityRef.trim() || entityRefs[0],
          target: target ?? 0,
          windowDays: Number(form.windowDays),
          sustainWeeks: Number(form.sustainWeeks),
        }
      : null,
    ...(department && { department }),
    ...(form.comment.trim() && { comment: form.comment.trim() }),
  };
}

/**
 * Checks the form with the backend's own rules
 * (`itsmImprovementCreateSchema`), after what only the form can tell: an
 * empty required field, a target that is not written in the metric's unit,
 * and a new improvement due in the past. Returns the request body, with refs
 * in full form, or the errors per field, each naming its field.
 */
export function validate(
  form: FormState,
  editing: boolean,
  department?: string,
): { body: Body } | { errors: Errors } {
  const errors: Errors = {};
  if (!form.title.trim()) errors.title = 'Title is required';
  if (!form.ownerRef.trim()) errors.ownerRef = 'Owner is required';
  if (splitList(form.entityRefs).length === 0) {
    errors.entityRefs = 'At least one entity is required';
  }
  if (!editing && form.dueDate && form.dueDate < todayIso()) {
    errors.dueDate = 'Due date must be today or later';
  }
  if (form.metricId) {
    const unit = metricDefinition(form.metricId).unit;
    const target = parseTarget(form.target, unit);
    if ('error' in target) errors['metric.target'] = `Target: ${target.error}`;
  }

  const result = itsmImprovementCreateSchema.safeParse(
    requestOf(form, department),
  );
  if (!result.success) {
    for (const issue of result.error.issues) {
      const field = fieldOf(issue.path);
      errors[field] ??= `${FIELD_LABEL[field]}: ${issue.message}`;
    }
  }
  if (!result.success || Object.keys(errors).length > 0) return { errors };
  const body = result.data;
  return { body: { ...body, entityRefs: [...new Set(body.entityRefs)] } };
}

function sameList(a: string[], b: string[]) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The fields of an edit that differ from the stored improvement. */
export function changesOf(
  body: Body,
  status: ItsmImprovementStatus | '',
  improvement: ItsmImprovement,
): ItsmImprovementUpdateRequest {
  const update: ItsmImprovementUpdateRequest = {};
  if (body.title !== improvement.title) update.title = body.title;
  if (body.description !== improvement.description)
    update.description = body.description;
  if (body.ownerRef !== improvement.ownerRef) update.ownerRef = body.ownerRef;
  if (!sameList(body.entityRefs, improvement.entityRefs))
    update.entityRefs = body.entityRefs;
  if (body.priority !== improvement.priority) update.priority = body.priority;
  if ((body.dueDate ?? null) !== improvement.dueDate)
    update.dueDate = body.dueDate ?? null;
  // Only sent when the user changed the list: the form holds the records
  // the user may see, and a sent list replaces the stored one.
  const recordIds = body.recordIds ?? [];
  if (
    !sameList(
      recordIds,
      improvement.records.map(r => r.id),
    )
  ) {
    update.recordIds = recordIds;
  }
  if (status && status !== improvement.status) update.status = status;
  const before = improvement.metric;
  const after = body.metric ?? null;
  const metricChanged =
    (before === null) !== (after === null) ||
    (before !== null &&
      after !== null &&
      (before.metricId !== after.metricId ||
        before.entityRef !== after.entityRef ||
        before.target !== after.target ||
        before.windowDays !== after.windowDays ||
        before.sustainWeeks !== after.sustainWeeks));
  if (metricChanged) update.metric = after;
  if (body.comment) update.comment = body.comment;
  return update;
}
