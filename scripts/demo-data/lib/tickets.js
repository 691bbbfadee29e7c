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

// Pieces every record is made of: ids, SLAs, and the life of a ticket cut at
// the end of the history.

'use strict';

const crypto = require('node:crypto');
const { DAY, HOUR, formatDuration, iso, isoOrNull, pad } = require('./time');

function makeIds(seed) {
  return key =>
    crypto
      .createHash('sha1')
      .update(`${seed}:${key}`)
      .digest('hex')
      .slice(0, 32);
}

const SERVICENOW = 'https://northwind.service-now.com';
const snowUrl = (table, sysId) =>
  `${SERVICENOW}/nav_to.do?uri=${table}.do?sys_id=${sysId}`;

/**
 * An SLA as the source's SLA engine would report it, cut at `end`:
 * completed or breached when it stopped, cancelled with its record, paused
 * while the record waits on someone (`wait`), otherwise in progress with its
 * breach time. The clock is 24x7 and stops while paused, so the elapsed time
 * (businessElapsedSeconds) is calendar time minus the wait, and breached
 * means elapsed > target; without a wait it equals endAt - startAt.
 */
function sla({ name, kind, target, start, stop, cancelledAt, wait, end }) {
  const seconds = ms => Math.max(0, Math.round(ms / 1000));
  const paused = until =>
    wait
      ? Math.max(0, Math.min(until, wait.to) - Math.max(start, wait.from))
      : 0;
  const elapsed = until => until - start - paused(until);
  const base = {
    name,
    kind,
    targetSeconds: seconds(target),
    startAt: iso(start),
  };
  if (
    stop !== null &&
    stop !== undefined &&
    stop <= end &&
    (cancelledAt === undefined || stop <= cancelledAt)
  ) {
    const breached = seconds(elapsed(stop)) > seconds(target);
    return {
      ...base,
      stage: breached ? 'breached' : 'completed',
      breached,
      endAt: iso(stop),
      breachAt: null,
      businessElapsedSeconds: seconds(elapsed(stop)),
    };
  }
  if (cancelledAt !== undefined && cancelledAt <= end) {
    return {
      ...base,
      stage: 'cancelled',
      breached: seconds(elapsed(cancelledAt)) > seconds(target),
      endAt: iso(cancelledAt),
      breachAt: null,
      businessElapsedSeconds: seconds(elapsed(cancelledAt)),
    };
  }
  const waiting = wait !== undefined && wait.from <= end && end < wait.to;
  return {
    ...base,
    stage: waiting ? 'paused' : 'in_progress',
    breached: seconds(elapsed(end)) > seconds(target),
    endAt: null,
    breachAt: waiting ? null : iso(start + target + paused(end)),
    businessElapsedSeconds: seconds(elapsed(end)),
  };
}

/**
 * The SLA of a ticket opened at `opened` and in state `s` at `end` (see
 * stateAt): a response SLA stops when the ticket is acknowledged, a
 * resolution SLA when it is resolved. Named `<label> (<target>)`.
 */
function ticketSla({ label, kind, target, opened, s, wait, end }) {
  return sla({
    name: `${label} (${formatDuration(target)})`,
    kind,
    target,
    start: opened,
    stop: kind === 'response' ? s.acknowledgedAt : s.resolvedAt,
    cancelledAt: s.state === 'cancelled' ? s.closedAt : undefined,
    wait,
    end,
  });
}

/**
 * Cuts a ticket's life at `end`: which state it is in then, and which of
 * its instants have happened. `life` holds the instants it will have
 * (acknowledged, resolved, closed, cancelled) and `wait`, the interval it
 * spends on hold waiting for someone, if any.
 */
function stateAt(life, end, random) {
  const { opened, acknowledged, resolved, closed, cancelled, wait } = life;
  if (cancelled !== undefined && cancelled <= end) {
    return {
      state: 'cancelled',
      acknowledgedAt:
        acknowledged !== undefined && acknowledged < cancelled
          ? acknowledged
          : null,
      resolvedAt: null,
      closedAt: cancelled,
      updatedAt: cancelled,
    };
  }
  if (resolved !== undefined && resolved <= end) {
    const isClosed = closed !== undefined && closed <= end;
    return {
      state: isClosed ? 'closed' : 'resolved',
      acknowledgedAt: acknowledged ?? null,
      resolvedAt: resolved,
      closedAt: isClosed ? closed : null,
      updatedAt: isClosed ? closed : resolved,
    };
  }
  // Still open at the end.
  const ackd =
    acknowledged !== undefined && acknowledged <= end ? acknowledged : null;
  if (ackd === null) {
    return {
      state: 'new',
      acknowledgedAt: null,
      resolvedAt: null,
      closedAt: null,
      updatedAt: opened,
    };
  }
  if (wait && wait.from <= end && end < wait.to) {
    return {
      state: 'on_hold',
      acknowledgedAt: ackd,
      resolvedAt: null,
      closedAt: null,
      updatedAt: wait.from,
    };
  }
  const last = wait && wait.to <= end ? wait.to : ackd;
  const updatedAt = last + random.float() * (end - last);
  return {
    state: 'in_progress',
    acknowledgedAt: ackd,
    resolvedAt: null,
    closedAt: null,
    updatedAt,
  };
}

/** The instants of a ticket's state at the end (see stateAt), as written. */
function cutInstants(s) {
  return {
    acknowledgedAt: isoOrNull(s.acknowledgedAt),
    resolvedAt: isoOrNull(s.resolvedAt),
    closedAt: isoOrNull(s.closedAt),
  };
}

/**
 * Exports show today's backlog: of the tickets opened in the last ten days,
 * a share that shrinks with age (`share` for one opened just now) is still
 * open at the end: new (not for `urgent` ones), in progress, or on hold
 * waiting for someone.
 */
function withBacklog(random, life, end, share) {
  const age = (end - life.opened) / DAY;
  if (
    age >= 10 ||
    life.cancelled !== undefined ||
    !random.chance(share * (1 - age / 10))
  ) {
    return life;
  }
  const closeDelay = life.closed - life.resolved;
  const next = { ...life, wait: undefined };
  const r = random.float();
  if (age < 3 && r < 0.2 && !life.urgent) {
    next.acknowledged = end + random.uniform(1, 48) * HOUR;
    next.resolved = next.acknowledged + random.uniform(0.5, 4) * DAY;
  } else if (r < 0.5 && life.acknowledged < end) {
    const from =
      life.acknowledged + random.uniform(0.1, 0.9) * (end - life.acknowledged);
    next.wait = { from, to: end + random.uniform(1, 6) * DAY };
    next.resolved = next.wait.to + random.uniform(1, 24) * HOUR;
  } else {
    next.resolved =
      Math.max(end, life.acknowledged) + random.uniform(0.2, 4) * DAY;
  }
  next.closed = next.resolved + closeDelay;
  return next;
}

/** Sometimes a ticket waits on someone (user, vendor, parts) between `after` and `before`. */
function maybeWait(random, probability, after, before, length) {
  if (!random.chance(probability)) return undefined;
  const from = after + random.uniform(0.1, 0.6) * Math.max(0, before - after);
  return { from, to: from + length };
}

/** Numbers records of one kind in the order they were opened. */
function numberInOrder(records, prefix, first) {
  [...records]
    .sort(
      (a, b) => a._opened - b._opened || (a.externalId < b.externalId ? -1 : 1),
    )
    .forEach((record, i) => {
      record.number = `${prefix}${pad(first + i, 7)}`;
      if (record._numberedUrl) record.url = record._numberedUrl(record.number);
    });
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => String(values[key]));
}

module.exports = {
  makeIds,
  snowUrl,
  ticketSla,
  stateAt,
  cutInstants,
  withBacklog,
  maybeWait,
  numberInOrder,
  fill,
};
