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

// People, departments, sites and the subjects of HR cases and facilities
// work orders.

'use strict';

const { DAY, HOUR } = require('./time');

const FIRST_NAMES = [
  'Hannah',
  'Marcus',
  'Aisha',
  'Oliver',
  'Chloe',
  'Ravi',
  'Sophie',
  'Tomasz',
  'Grace',
  'Daniel',
  'Zara',
  'Liam',
  'Elena',
  'Kofi',
  'Isla',
  'Mateo',
  'Freya',
  'Arjun',
  'Niamh',
  'Yusuf',
  'Ella',
  'Callum',
  'Maya',
  'Owen',
  'Leah',
  'Jakub',
  'Amelia',
  'Connor',
  'Nadia',
  'Rhys',
];
const LAST_NAMES = [
  'Whitfield',
  'Lee',
  'Khan',
  'Grant',
  'Evans',
  'Patel',
  'Turner',
  'Nowak',
  'Hughes',
  'Byrne',
  'Ahmed',
  'Walsh',
  'Popescu',
  'Boateng',
  'Campbell',
  'Silva',
  'Morgan',
  'Sharma',
  'Doyle',
  'Yilmaz',
  'Price',
  'MacLeod',
  'Fischer',
  'Owusu',
  'Jenkins',
  'Kowalski',
  'Reid',
  'Murray',
  'Hassan',
  'Lloyd',
];
const DEPARTMENTS = [
  'Finance',
  'Marketing',
  'Buying',
  'Logistics',
  'Warehouse Operations',
  'Customer Support',
  'Engineering',
  'Stores',
  'Legal',
];

// The subjects of HR cases and facilities work orders. The person a case is
// about is not in its subject but in the export's own columns (Employee Name,
// Requested By), which the modules' personalFields redact.
const HR_CATEGORIES = {
  'employee-onboarding': {
    weight: 0.3,
    fulfil: { median: 1.6 * DAY, sigma: 0.7 },
    titles: [
      'Onboarding: new starter in {dept}, start {date}',
      'Onboarding: new joiner in {dept} on {date}, laptop and badge needed',
      'Onboarding: contract and right-to-work check ({dept}), start {date}',
    ],
  },
  'employee-offboarding': {
    weight: 0.18,
    fulfil: { median: 1.4 * DAY, sigma: 0.7 },
    titles: [
      'Offboarding: leaver in {dept}, last day {date}',
      'Offboarding: equipment return and final pay ({dept})',
      'Offboarding: revoke access, last day {date}',
    ],
  },
  payroll: {
    weight: 0.3,
    fulfil: { median: 0.9 * DAY, sigma: 0.7 },
    titles: [
      'Payroll: overtime missing from {month} payslip',
      'Payroll: change of bank details',
      'Payroll: tax code query ({dept})',
      'Payroll: expenses not reimbursed',
      'Payroll: salary increase not applied ({dept})',
    ],
  },
  'leave-management': {
    weight: 0.22,
    fulfil: { median: 0.7 * DAY, sigma: 0.8 },
    titles: [
      'Leave: parental leave from {date}',
      'Leave: holiday balance wrong ({dept})',
      'Leave: sick leave record correction',
      'Leave: unpaid leave request, {weeks} weeks',
    ],
  },
};

const SITES = ['London HQ', 'Leeds DC', 'Bristol office'];
const FACILITIES_CATEGORIES = {
  'building-climate': {
    weight: 0.32,
    fulfil: { median: 7 * HOUR, sigma: 0.9 },
    titles: [
      'HVAC: meeting room {room} too warm',
      'HVAC: meeting room {room} too cold',
      'HVAC: no heating on floor {floor}, {site}',
      'HVAC: noisy air handling unit, {site}',
      'HVAC: server room temperature alarm, {site}',
    ],
  },
  'building-access': {
    weight: 0.25,
    fulfil: { median: 3 * HOUR, sigma: 0.9 },
    titles: [
      'Access: badge not working at {site} gate {gate}',
      'Access: visitor badges for {n} guests at {site} reception',
      'Access: door {room} does not lock',
      'Access: badge reader offline on floor {floor}, {site}',
    ],
  },
  'meeting-rooms': {
    weight: 0.25,
    fulfil: { median: 5 * HOUR, sigma: 0.9 },
    titles: [
      'Meeting room {room}: screen will not connect',
      'Meeting room {room}: video bar has no audio',
      'Meeting room {room}: booking panel offline',
      'Meeting room {room}: chairs missing',
    ],
  },
  'desk-booking': {
    weight: 0.18,
    fulfil: { median: 1 * DAY, sigma: 0.8 },
    titles: [
      'Desk booking: floor {floor} map shows removed desks',
      'Desk booking: cannot book desks for next week',
      'Desk booking: check-in QR code missing on desk {room}',
    ],
  },
};
const FACILITIES_TARGET = { 2: 8 * HOUR, 3: 2 * DAY, 4: 5 * DAY };
const HR_TARGET = { 3: 3 * DAY, 4: 5 * DAY };

/** HVAC trouble follows the weather: more in summer and winter. */
function climateSeason(t) {
  const month = new Date(t).getUTCMonth();
  return [1.4, 1.3, 1, 0.8, 0.9, 1.3, 1.6, 1.5, 1, 0.8, 1, 1.3][month];
}

module.exports = {
  FIRST_NAMES,
  LAST_NAMES,
  DEPARTMENTS,
  HR_CATEGORIES,
  SITES,
  FACILITIES_CATEGORIES,
  FACILITIES_TARGET,
  HR_TARGET,
  climateSeason,
};
