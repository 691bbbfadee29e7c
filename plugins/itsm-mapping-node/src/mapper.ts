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
  ItsmRecordKind,
  ITSM_RECORD_STATES,
  ITSM_SLA_STAGES,
} from '@backstage-itsm/plugin-itsm-common';
import { ItsmInstantFormat, parseItsmInstant } from './instants';
import { getSourceValue, ItsmSourceItem, sourceText } from './paths';
import { redactPersonalFields } from './redact';
import type { ItsmTemplate } from './template';

/**
 * The normalised fields a source field can map to. `dueAt` is the promised
 * completion time; it is stored as the record's `plannedEnd`.
 * @public
 */
export const ITSM_MAPPED_FIELDS = [
  'externalId',
  'number',
  'title',
  'state',
  'priority',
  'category',
  'openedAt',
  'acknowledgedAt',
  'resolvedAt',
  'closedAt',
  'dueAt',
  'assignmentGroup',
  'assignee',
  'sourceUpdatedAt',
  'url',
] as const;

/** @public */
export type ItsmMappedField = (typeof ITSM_MAPPED_FIELDS)[number];

/** Fields a source must map. @public */
export const ITSM_REQUIRED_MAPPED_FIELDS: ReadonlyArray<ItsmMappedField> = [
  'externalId',
  'title',
  'state',
  'openedAt',
];

/** What a field's value is, which decides how it is read and checked. @public */
export type ItsmFieldType =
  | 'text'
  | 'instant'
  | 'state'
  | 'priority'
  | 'category'
  | 'slaStage'
  | 'boolean'
  | 'number';

/** The type of each normalised field. @public */
export const ITSM_MAPPED_FIELD_TYPES: Record<ItsmMappedField, ItsmFieldType> = {
  externalId: 'text',
  number: 'text',
  title: 'text',
  state: 'state',
  priority: 'priority',
  category: 'category',
  openedAt: 'instant',
  acknowledgedAt: 'instant',
  resolvedAt: 'instant',
  closedAt: 'instant',
  dueAt: 'instant',
  assignmentGroup: 'text',
  assignee: 'text',
  sourceUpdatedAt: 'instant',
  url: 'text',
};

/**
 * One field, read and checked from config: where its value comes from, and
 * the value map and instant format that apply.
 * @public
 */
export interface ItsmFieldSpec {
  type: ItsmFieldType;
  source:
    | { from: string }
    | { template: ItsmTemplate }
    | { value: string | number | boolean };
  /** Source value to normalised value, exact keys. */
  values?: ReadonlyMap<string, string | number | boolean>;
  /** Instants only. */
  format?: ItsmInstantFormat;
}

/** An SLA of the source, read and checked from config. @public */
export interface ItsmSlaSpec {
  id: string;
  /** A template or constant; the id when unset. */
  name?: ItsmTemplate;
  kind: 'response' | 'resolution';
  stage: ItsmFieldSpec;
  breached?: ItsmFieldSpec;
  target?: ItsmFieldSpec;
  elapsed?: ItsmFieldSpec;
  /** Seconds per unit of target and elapsed. */
  unitSeconds: number;
  startAt?: ItsmFieldSpec;
  endAt?: ItsmFieldSpec;
  breachAt?: ItsmFieldSpec;
}

/** A category a module or config knows. @public */
export interface ItsmCategoryDefinition {
  /** How it reads in titles, e.g. `Onboarding`. */
  label: string;
  /** The catalog entity its records map to. */
  entityRef?: string;
}

/** Everything that turns a source item into a record. @public */
export interface ItsmRecordMapping {
  kind: ItsmRecordKind;
  fields: Partial<Record<ItsmMappedField, ItsmFieldSpec>>;
  slas: ItsmSlaSpec[];
  personalFields: ReadonlyArray<string>;
  categories: Readonly<Record<string, ItsmCategoryDefinition>>;
  defaultEntityRef?: string;
  /** Start every title with its category's label (`Onboarding: ...`). */
  categoryTitlePrefix: boolean;
}

/** A record as the mapper made it, with what the provider needs to know. @public */
export interface ItsmMappedItem {
  /** The record to yield; the engine validates it. */
  record: Record<string, unknown>;
  /** The normalised category, or null when missing or unknown. */
  category: string | null;
  /** The record's valid `sourceUpdatedAt`, for the watermark. */
  sourceUpdatedAt?: string;
}

const TRUE = /^(true|yes|y|1)$/i;
const FALSE = /^(false|no|n|0)$/i;
const PRIORITY = /^p?\s*([1-5])$/i;
const NUMBER = /^\d+(\.\d+)?$/;

/** Normalises free text to an id: `In Progress` -> `in_progress`. */
function toId(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/** The raw text of a field, before value maps. */
function readText(spec: ItsmFieldSpec, item: ItsmSourceItem) {
  const { source } = spec;
  if ('from' in source) return sourceText(getSourceValue(item, source.from));
  if ('template' in source) return source.template.render(item);
  return sourceText(source.value);
}

/** The mapped value for a text, exact match first, then ignoring case. */
function lookup(
  spec: ItsmFieldSpec,
  text: string,
): { value: string | number | boolean } | undefined {
  const values = spec.values;
  if (!values) return undefined;
  if (values.has(text)) return { value: values.get(text)! };
  const wanted = text.trim().toLowerCase();
  for (const [key, value] of values) {
    if (key.trim().toLowerCase() === wanted) return { value };
  }
  return undefined;
}

/**
 * What a value that cannot be read becomes: text the engine's validation
 * refuses, so the record lands in dead letters naming the field, with the
 * reason in its payload. It holds only the (already redacted) source value.
 */
function unreadable(text: string, reason: string): string {
  return `${text} (${reason})`;
}

/**
 * Turns source items into normalised records by a mapping read from config.
 * Personal fields are redacted first: nothing after that step sees their
 * values, so no record, payload, error or log line can hold them.
 * @public
 */
export class ItsmRecordMapper {
  readonly #mapping: ItsmRecordMapping;

  constructor(mapping: ItsmRecordMapping) {
    this.#mapping = mapping;
  }

  get mapping(): ItsmRecordMapping {
    return this.#mapping;
  }

  map(sourceItem: ItsmSourceItem): ItsmMappedItem {
    const m = this.#mapping;
    const item = redactPersonalFields(sourceItem, m.personalFields);
    const text = (field: ItsmMappedField) => {
      const spec = m.fields[field];
      return spec ? this.#text(spec, item) : undefined;
    };
    const instant = (field: ItsmMappedField) => {
      const spec = m.fields[field];
      return spec ? this.#instant(spec, item) : undefined;
    };

    const category = this.#category(item);
    const known = category !== null ? m.categories[category] : undefined;

    let title = text('title');
    if (m.categoryTitlePrefix && known) {
      const prefix = `${known.label}:`;
      if (title === undefined) {
        title = known.label;
      } else if (!title.toLowerCase().startsWith(prefix.toLowerCase())) {
        title = `${prefix} ${title}`;
      }
    }

    const openedAt = instant('openedAt');
    const acknowledgedAt = instant('acknowledgedAt');
    const resolvedAt = instant('resolvedAt');
    const closedAt = instant('closedAt');
    const slas = m.slas.flatMap(spec => this.#sla(spec, item, openedAt));

    let sourceUpdatedAt = instant('sourceUpdatedAt');
    if (sourceUpdatedAt === undefined) {
      // The latest instant the record has stands in for a modification time.
      const valid = [openedAt, acknowledgedAt, resolvedAt, closedAt].filter(
        (v): v is string => v !== undefined && isIso(v),
      );
      sourceUpdatedAt = valid.sort().pop();
    }

    const entityRef = known?.entityRef ?? m.defaultEntityRef;
    const record: Record<string, unknown> = {
      externalId: text('externalId'),
      kind: m.kind,
      number: text('number') ?? null,
      title,
      url: text('url') ?? null,
      state: this.#state(item),
      priority: this.#priority(item),
      openedAt,
      acknowledgedAt: acknowledgedAt ?? null,
      resolvedAt: resolvedAt ?? null,
      closedAt: closedAt ?? null,
      plannedEnd: instant('dueAt') ?? promiseOf(slas) ?? null,
      assignmentGroup: text('assignmentGroup') ?? null,
      assignee: text('assignee') ?? null,
      sourceUpdatedAt,
      entityRefs: entityRef ? [entityRef] : [],
      mappings: [],
      slas,
      payload: { category, source: item },
    };
    return {
      record,
      category,
      sourceUpdatedAt:
        sourceUpdatedAt !== undefined && isIso(sourceUpdatedAt)
          ? sourceUpdatedAt
          : undefined,
    };
  }

  #text(spec: ItsmFieldSpec, item: ItsmSourceItem): string | undefined {
    const raw = readText(spec, item);
    if (raw === undefined) return undefined;
    const hit = lookup(spec, raw);
    return hit ? String(hit.value) : raw;
  }

  #instant(spec: ItsmFieldSpec, item: ItsmSourceItem): string | undefined {
    const raw = readText(spec, item);
    if (raw === undefined) return undefined;
    const format = spec.format!;
    return (
      parseItsmInstant(raw, format) ??
      unreadable(raw, `not an instant in format ${format.format}`)
    );
  }

  #state(item: ItsmSourceItem): string | undefined {
    const spec = this.#mapping.fields.state;
    const raw = spec && readText(spec, item);
    if (raw === undefined) return undefined;
    const hit = lookup(spec!, raw);
    if (hit) return String(hit.value);
    const id = toId(raw);
    return (ITSM_RECORD_STATES as readonly string[]).includes(id)
      ? id
      : unreadable(raw, 'no state maps from this value');
  }

  #priority(item: ItsmSourceItem): number | string | null {
    const spec = this.#mapping.fields.priority;
    const raw = spec && readText(spec, item);
    if (raw === undefined) return null;
    const hit = lookup(spec!, raw);
    if (hit) return Number(hit.value);
    const match = PRIORITY.exec(raw.trim());
    return match
      ? Number(match[1])
      : unreadable(raw, 'no priority maps from this value');
  }

  #category(item: ItsmSourceItem): string | null {
    const spec = this.#mapping.fields.category;
    const raw = spec && readText(spec, item);
    if (raw === undefined) return null;
    const hit = lookup(spec!, raw);
    const id = hit ? String(hit.value) : toId(raw);
    return Object.prototype.hasOwnProperty.call(this.#mapping.categories, id)
      ? id
      : null;
  }

  #sla(
    spec: ItsmSlaSpec,
    item: ItsmSourceItem,
    openedAt: string | undefined,
  ): Array<Record<string, unknown>> {
    const stageText = readText(spec.stage, item);
    if (stageText === undefined) return [];
    const stageHit = lookup(spec.stage, stageText);
    const stageId = stageHit ? String(stageHit.value) : toId(stageText);
    const stage = (ITSM_SLA_STAGES as readonly string[]).includes(stageId)
      ? stageId
      : unreadable(stageText, 'no SLA stage maps from this value');

    let breached: boolean | string = stage === 'breached';
    const breachedText = spec.breached && readText(spec.breached, item);
    if (breachedText !== undefined) {
      const hit = lookup(spec.breached!, breachedText);
      if (hit) breached = hit.value === true || hit.value === 'true';
      else if (TRUE.test(breachedText)) breached = true;
      else if (FALSE.test(breachedText)) breached = false;
      else breached = unreadable(breachedText, 'not yes or no');
    }

    const seconds = (field?: ItsmFieldSpec, round = false) => {
      const raw = field && readText(field, item);
      if (raw === undefined) return null;
      if (!NUMBER.test(raw)) return unreadable(raw, 'not a number');
      const value = Number(raw) * spec.unitSeconds;
      return round ? Math.round(value) : value;
    };
    const at = (field?: ItsmFieldSpec) =>
      field ? this.#instant(field, item) ?? null : null;

    return [
      {
        name: spec.name?.render(item) ?? spec.id,
        kind: spec.kind,
        targetSeconds: seconds(spec.target, true),
        stage,
        breached,
        startAt: spec.startAt ? at(spec.startAt) : openedAt,
        endAt: at(spec.endAt),
        breachAt: at(spec.breachAt),
        businessElapsedSeconds: seconds(spec.elapsed),
      },
    ];
  }
}

function isIso(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value);
}

/**
 * The promised time from a resolution SLA: its breach time when the source
 * gives one (a running SLA); else, for a stopped one, its stop plus what was
 * left of its target on its own clock (so pauses count as the SLA engine
 * counted them); else its start plus its target in calendar time.
 */
function promiseOf(slas: Array<Record<string, unknown>>): string | undefined {
  const iso = (v: unknown): v is string => typeof v === 'string' && isIso(v);
  const num = (v: unknown): v is number => typeof v === 'number';
  for (const sla of slas) {
    if (sla.kind !== 'resolution') continue;
    const { breachAt, endAt, startAt, targetSeconds, businessElapsedSeconds } =
      sla;
    if (iso(breachAt)) return breachAt;
    if (!num(targetSeconds)) continue;
    if (iso(endAt) && num(businessElapsedSeconds)) {
      return new Date(
        Date.parse(endAt) + (targetSeconds - businessElapsedSeconds) * 1000,
      ).toISOString();
    }
    if (iso(startAt)) {
      return new Date(Date.parse(startAt) + targetSeconds * 1000).toISOString();
    }
  }
  return undefined;
}
