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

// HR and facilities exports: what the source systems would hand over, in
// their own columns and words. app-config.yaml maps them back (itsm.hr and
// itsm.facilities sources of the HR and facilities modules).

'use strict';

const { MINUTE, londonOffset, pad } = require('./time');

/** A BambooHR-like case export. */
const HR_EXPORT = {
  file: 'hr/bamboohr-cases.csv',
  delimiter: ',',
  categories: {
    'employee-onboarding': 'New Hire',
    'employee-offboarding': 'Termination',
    payroll: 'Payroll',
    'leave-management': 'Time Off',
  },
  priorities: { 2: 'High', 3: 'Normal', 4: 'Low' },
  states: {
    new: 'Open',
    in_progress: 'In Progress',
    on_hold: 'Waiting on Employee',
    resolved: 'Completed',
    closed: 'Closed',
    cancelled: 'Cancelled',
  },
  slaStages: {
    completed: 'Met',
    breached: 'Breached',
    in_progress: 'Running',
    paused: 'Paused',
    cancelled: 'Cancelled',
  },
};

/** A CAFM-like work order export: semicolons, UK local times. */
const FACILITIES_EXPORT = {
  file: 'facilities/cafm-work-orders.csv',
  delimiter: ';',
  categories: {
    'building-climate': 'Heating & Ventilation',
    'building-access': 'Access Control',
    'meeting-rooms': 'Meeting Room AV',
    'desk-booking': 'Desk Booking',
  },
  priorities: { 2: 'P2 - Urgent', 3: 'P3 - Normal', 4: 'P4 - Planned' },
  states: {
    new: 'Logged',
    in_progress: 'In Progress',
    on_hold: 'On Hold - Awaiting Parts',
    resolved: 'Completed',
    closed: 'Closed',
    cancelled: 'Cancelled',
  },
  slaStages: {
    completed: 'Achieved',
    breached: 'Failed',
    in_progress: 'Running',
    paused: 'Paused',
    cancelled: 'Cancelled',
  },
};

function emailOf(person) {
  return `${person.toLowerCase().replace(/[^a-z]+/g, '.')}@northwind.example`;
}

/** Seconds as hours, to the second. */
function hours(seconds) {
  return seconds === null || seconds === undefined
    ? ''
    : String(Number((seconds / 3600).toFixed(6)));
}

/** `dd/MM/yyyy HH:mm` on the Europe/London wall clock, as a UK CAFM writes it. */
function ukLocal(t) {
  if (t === null || t === undefined) return '';
  const minute = Math.floor(t / MINUTE) * MINUTE;
  const local = new Date(minute + londonOffset(minute));
  return `${pad(local.getUTCDate(), 2)}/${pad(
    local.getUTCMonth() + 1,
    2,
  )}/${local.getUTCFullYear()} ${pad(local.getUTCHours(), 2)}:${pad(
    local.getUTCMinutes(),
    2,
  )}`;
}

/**
 * The time a work order was promised by: when its SLA breaches if it runs,
 * else its stop plus what was left of its target, else start plus target.
 */
function promisedAt(sla) {
  if (sla.breachAt) return Date.parse(sla.breachAt);
  if (sla.endAt) {
    return (
      Date.parse(sla.endAt) +
      (sla.targetSeconds - sla.businessElapsedSeconds) * 1000
    );
  }
  return Date.parse(sla.startAt) + sla.targetSeconds * 1000;
}

function hrCaseRow(r) {
  const c = r._contact;
  const sla = r.slas[0];
  return {
    'Case ID': r.number,
    'Employee ID': c.employeeId,
    'Employee Name': c.person,
    'Employee Email': emailOf(c.person),
    Manager: c.manager,
    Department: c.dept,
    Category: HR_EXPORT.categories[r._category],
    Subject: r.title,
    Priority: HR_EXPORT.priorities[r.priority],
    Status: HR_EXPORT.states[r.state],
    Created: r.openedAt,
    'First Response': r.acknowledgedAt ?? '',
    Completed: r.resolvedAt ?? '',
    Closed: r.closedAt ?? '',
    'Assigned To': r.assignee ?? '',
    Team: r.assignmentGroup,
    'Last Modified': r.sourceUpdatedAt,
    'SLA Policy': sla.name,
    'SLA Status': HR_EXPORT.slaStages[sla.stage],
    'SLA Breached': sla.breached ? 'Yes' : 'No',
    'SLA Target (hours)': hours(sla.targetSeconds),
    'SLA Elapsed (hours)': hours(sla.businessElapsedSeconds),
    'SLA Due': sla.breachAt ?? '',
    'SLA Stopped': sla.endAt ?? '',
  };
}

function workOrderRow(r) {
  const c = r._contact;
  const sla = r.slas[0];
  const at = value => (value ? ukLocal(Date.parse(value)) : '');
  return {
    'WO Number': r.number,
    'Problem Type': FACILITIES_EXPORT.categories[r._category],
    Description: r.title,
    Site: c.site,
    Priority: FACILITIES_EXPORT.priorities[r.priority],
    Status: FACILITIES_EXPORT.states[r.state],
    Logged: at(r.openedAt),
    Attended: at(r.acknowledgedAt),
    Completed: at(r.resolvedAt),
    Closed: at(r.closedAt),
    'Target Completion': ukLocal(promisedAt(sla)),
    Trade: r.assignmentGroup,
    Engineer: r.assignee ?? '',
    'Requested By': c.person,
    'Requester Email': emailOf(c.person),
    'Last Updated': at(r.sourceUpdatedAt),
    SLA: sla.name,
    'SLA Status': FACILITIES_EXPORT.slaStages[sla.stage],
    'SLA Breached': sla.breached ? 'Y' : 'N',
    'SLA Target (h)': hours(sla.targetSeconds),
    'SLA Elapsed (h)': hours(sla.businessElapsedSeconds),
    'SLA Due': at(sla.breachAt),
    'SLA Stopped': at(sla.endAt),
  };
}

module.exports = { HR_EXPORT, FACILITIES_EXPORT, hrCaseRow, workOrderRow };
