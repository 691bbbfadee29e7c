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

// IT changes: the ones planned month by month, and the ones an incident
// followed.

'use strict';

const { DAY, HOUR, MINUTE, fromLondon, iso, isoOrNull } = require('./time');
const { fill, snowUrl } = require('./tickets');
const { CHANGE_TITLES } = require('./itTitles');

const CHANGE_TYPES = { standard: 0.6, normal: 0.35, emergency: 0.05 };
const CHANGE_OUTCOMES = {
  successful: 0.85,
  successful_with_issues: 0.07,
  failed: 0.05,
  cancelled: 0.03,
};
const CHANGE_DURATION = {
  standard: { median: 40 * MINUTE, sigma: 0.4 },
  normal: { median: 2 * HOUR, sigma: 0.5 },
  emergency: { median: 1 * HOUR, sigma: 0.6 },
};
const CHANGE_PRIORITY = { standard: 4, normal: 3, emergency: 2 };

/** How long a change of `type` takes, long-tailed. */
function changeDuration(random, type) {
  return random.lognormal(
    CHANGE_DURATION[type].median,
    CHANGE_DURATION[type].sigma,
  );
}

/** A planned change window: tier 1 mostly out of hours, others mostly in office hours. */
function changeWindow(random, component, monthStart, type) {
  const day = monthStart + random.int(0, 29) * DAY;
  if (type === 'emergency') {
    return fromLondon(day, random.uniform(0, 24));
  }
  const outOfHours = random.chance(component.tier === 1 ? 0.85 : 0.3);
  const weekday = new Date(day).getUTCDay();
  if (outOfHours) {
    return weekday === 0 || weekday === 6
      ? fromLondon(day, random.uniform(6, 10))
      : fromLondon(day, random.uniform(20, 23.5));
  }
  // Tuesday to Thursday, late morning or early afternoon.
  const shift = [2, 1, 0, 0, 0, 5, 4][weekday];
  return fromLondon(day + shift * DAY, random.uniform(10, 16));
}

/**
 * A change of the component of `ctx` (see generateIt), cut at the end of the
 * history, added to `ctx.changes`. `actualStart` and `actualEnd` are drawn
 * from the planned start unless given.
 */
function makeChange(
  ctx,
  key,
  { type, outcome, plannedStart, opened, actualStart, actualEnd },
) {
  const { random, component, end } = ctx;
  const sysId = ctx.id(`change:${component.name}:${key}`);
  const duration = changeDuration(random, type);
  const plannedEnd =
    plannedStart +
    Math.max(15 * MINUTE, Math.round(duration / (15 * MINUTE)) * 15 * MINUTE);
  const titleVersion = ctx.nextVersion(type);
  const title = fill(random.pick(CHANGE_TITLES[type]), {
    name: component.name,
    version: titleVersion,
    n: random.int(3, 12),
    cve: random.int(10000, 49999),
  });
  let state;
  let closedAt = null;
  let actual = { start: null, end: null };
  let finalOutcome = null;
  if (outcome === 'cancelled') {
    const cancelledAt = Math.max(
      opened + 10 * MINUTE,
      plannedStart - random.uniform(1, 48) * HOUR,
    );
    if (cancelledAt <= end) {
      state = 'cancelled';
      closedAt = cancelledAt;
      finalOutcome = 'cancelled';
    } else {
      state = 'new';
    }
  } else {
    const aStart =
      actualStart ?? plannedStart + random.uniform(-5, 20) * MINUTE;
    const aEnd =
      actualEnd ??
      aStart +
        duration *
          (outcome === 'failed'
            ? random.uniform(1.2, 2)
            : random.uniform(0.7, 1.2));
    const closed =
      aEnd + Math.max(30 * MINUTE, random.lognormal(18 * HOUR, 0.6));
    if (aStart > end) {
      state = 'new';
    } else if (aEnd > end) {
      state = 'in_progress';
      actual = { start: aStart, end: null };
    } else {
      actual = { start: aStart, end: aEnd };
      finalOutcome = outcome;
      if (closed <= end) {
        state = 'closed';
        closedAt = closed;
      } else {
        state = 'resolved';
      }
    }
  }
  // The last change of the record, never later than just before the end.
  const lastEvent =
    closedAt ??
    actual.end ??
    actual.start ??
    opened + random.uniform(0, 2) * HOUR;
  const updated = Math.max(opened, Math.min(end - MINUTE, lastEvent));
  const change = {
    externalId: sysId,
    kind: 'change',
    number: null,
    title,
    url: snowUrl('change_request', sysId),
    state,
    priority: CHANGE_PRIORITY[type],
    openedAt: iso(opened),
    acknowledgedAt: null,
    resolvedAt: null,
    closedAt: isoOrNull(closedAt),
    changeType: type,
    plannedStart: iso(plannedStart),
    plannedEnd: iso(plannedEnd),
    actualStart: isoOrNull(actual.start),
    actualEnd: isoOrNull(actual.end),
    outcome: finalOutcome,
    assignmentGroup: component.team,
    assignee: ctx.assignee(),
    sourceUpdatedAt: iso(updated),
    entityRefs: [],
    mappings: ctx.mappings(),
    slas: [],
    payload: ctx.payload('change_request', sysId),
    _opened: opened,
  };
  ctx.changes.push(change);
  return change;
}

/** Monthly changes of the component, including some already scheduled after the end. */
function plannedChanges(ctx) {
  const { random, component, start, end } = ctx;
  let changeIndex = 0;
  for (
    let monthStart = start;
    monthStart < end + 15 * DAY;
    monthStart += 30 * DAY
  ) {
    const count =
      component.tier === 1
        ? random.int(5, 8)
        : component.tier === 2
        ? random.int(3, 6)
        : random.int(3, 5);
    for (let i = 0; i < count; i++) {
      const type = random.weighted(CHANGE_TYPES);
      const outcome = random.weighted(CHANGE_OUTCOMES);
      const plannedStart = changeWindow(random, component, monthStart, type);
      const lead =
        type === 'standard'
          ? random.uniform(1, 3) * DAY
          : type === 'normal'
          ? random.uniform(5, 14) * DAY
          : random.uniform(20, 180) * MINUTE;
      const opened = plannedStart - lead;
      if (opened < start || opened >= end) continue;
      makeChange(ctx, changeIndex++, { type, outcome, plannedStart, opened });
    }
  }
}

/**
 * A change to the same component that ended 0-6 hours before an incident
 * opened at `opened`, or undefined when it would have been opened before the
 * history starts. Every other one looked successful; the rest had gone
 * wrong. Counted in `ctx.stats.causedByChange`.
 */
function causingChange(ctx, key, opened) {
  const { random, start, stats } = ctx;
  const actualEnd = opened - random.uniform(0.25, 6) * HOUR;
  const type = random.weighted({
    standard: 0.3,
    normal: 0.6,
    emergency: 0.1,
  });
  const actualStart = actualEnd - changeDuration(random, type);
  const plannedStart = actualStart - random.uniform(0, 15) * MINUTE;
  const lead =
    type === 'emergency'
      ? random.uniform(20, 120) * MINUTE
      : random.uniform(1, 7) * DAY;
  if (plannedStart - lead < start) return undefined;
  const outcome =
    stats.causedByChange++ % 2 === 0
      ? 'successful'
      : random.chance(0.6)
      ? 'failed'
      : 'successful_with_issues';
  return makeChange(ctx, key, {
    type,
    outcome,
    plannedStart,
    opened: plannedStart - lead,
    actualStart,
    actualEnd,
  });
}

module.exports = { plannedChanges, causingChange };
