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

// Time: instants are milliseconds since the epoch; Europe/London rules by hand
// (BST from the last Sunday of March to the last Sunday of October, 01:00 UTC),
// so the output does not depend on the machine's time-zone data.

'use strict';

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function lastSunday(year, month) {
  const last = new Date(Date.UTC(year, month + 1, 0));
  return last.getUTCDate() - last.getUTCDay();
}

function londonOffset(t) {
  const year = new Date(t).getUTCFullYear();
  const start = Date.UTC(year, 2, lastSunday(year, 2), 1);
  const end = Date.UTC(year, 9, lastSunday(year, 9), 1);
  return t >= start && t < end ? HOUR : 0;
}

/** Weekday (0 = Sunday) and hour of an instant in London. */
function london(t) {
  const local = new Date(t + londonOffset(t));
  return { weekday: local.getUTCDay(), hour: local.getUTCHours() };
}

/** The instant of a London wall-clock time (`day` is the UTC midnight of the date). */
function fromLondon(day, hours) {
  const guess = day + hours * HOUR;
  return guess - londonOffset(guess - HOUR);
}

function isWeekday(t) {
  const { weekday } = london(t);
  return weekday >= 1 && weekday <= 5;
}

/** Mon-Fri 09:00-18:00 Europe/London. */
function isBusinessHours(t) {
  const { weekday, hour } = london(t);
  return weekday >= 1 && weekday <= 5 && hour >= 9 && hour < 18;
}

/** `t` if in business hours, else a moment early in the next business morning. */
function nextBusinessTime(t, random) {
  if (isBusinessHours(t)) return t;
  let day = Math.floor(t / DAY) * DAY;
  for (let i = 0; i < 8; i++) {
    const opening = fromLondon(day, 9);
    if (opening > t && isWeekday(opening)) {
      return opening + random.uniform(5, 90) * MINUTE;
    }
    day += DAY;
  }
  return t;
}

function iso(t) {
  return new Date(Math.floor(t / 1000) * 1000).toISOString();
}

function isoOrNull(t) {
  return t === null ? null : iso(t);
}

function isoDate(t) {
  return new Date(t).toISOString().slice(0, 10);
}

const MONTHS =
  'January February March April May June July August September October November December'.split(
    ' ',
  );

const pad = (n, width) => String(n).padStart(width, '0');

function formatDuration(ms) {
  if (ms < HOUR) return `${Math.round(ms / MINUTE)} min`;
  if (ms < DAY) return `${ms / HOUR} h`;
  return ms === DAY ? '1 day' : `${ms / DAY} days`;
}

module.exports = {
  MINUTE,
  HOUR,
  DAY,
  MONTHS,
  londonOffset,
  fromLondon,
  isBusinessHours,
  nextBusinessTime,
  iso,
  isoOrNull,
  isoDate,
  pad,
  formatDuration,
};
