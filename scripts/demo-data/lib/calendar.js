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

// When work is raised: events spread over days and London office hours.

'use strict';

const { DAY, fromLondon } = require('./time');

/** Relative weight of each London hour for work raised by people. */
const WEEKDAY_HOURS = [
  0.12, 0.08, 0.06, 0.06, 0.06, 0.08, 0.15, 0.4, 0.75, 1, 1, 1, 1, 0.9, 1, 1, 1,
  0.9, 0.45, 0.3, 0.25, 0.2, 0.15, 0.12,
];
const WEEKEND_HOURS = [
  0.08, 0.06, 0.05, 0.05, 0.05, 0.05, 0.08, 0.12, 0.2, 0.25, 0.3, 0.3, 0.3, 0.3,
  0.3, 0.3, 0.25, 0.25, 0.2, 0.2, 0.15, 0.12, 0.1, 0.08,
];
const sum = values => values.reduce((a, b) => a + b, 0);
const AVERAGE_DAY_WEIGHT =
  (5 * sum(WEEKDAY_HOURS) + 2 * sum(WEEKEND_HOURS)) / 7;

/**
 * Spreads events over the days of [start, end): about `perMonth(day)` a
 * month, more on weekdays and in office hours (weekendFactor scales
 * weekends). Calls `emit(instant)` for each, in time order. `start` is a UTC
 * midnight; `end` (now) need not be: the day it falls in is drawn whole, as
 * any other, and only what happened before `end` is emitted, so today holds
 * the events of its hours so far and earlier days do not depend on the hour.
 */
function spreadOverDays(random, start, end, perMonth, emit, weekendFactor = 1) {
  for (let day = start; day < end; day += DAY) {
    const weekday = new Date(day).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    const hours = weekend ? WEEKEND_HOURS : WEEKDAY_HOURS;
    const lambda =
      ((perMonth(day) * 12) / 365.25) *
      (sum(hours) / AVERAGE_DAY_WEIGHT) *
      (weekend ? weekendFactor : 1);
    const count = random.poisson(lambda);
    const times = [];
    for (let i = 0; i < count; i++) {
      const hour = random.weighted(hours);
      times.push(fromLondon(day, hour + random.float()));
    }
    times
      .sort((a, b) => a - b)
      .filter(t => t < end)
      .forEach(t => emit(t));
  }
}

module.exports = { spreadOverDays };
