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
  formatItsmDuration,
  type ItsmReviewFailedChange,
  type ItsmReviewRecord,
  type ItsmReviewSlaBreach,
} from '@backstage-itsm/plugin-itsm-common';
import Box from '@mui/material/Box';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import {
  DepartmentTerms,
  formatInstant,
  RedactedText,
  SourceLink,
} from '../common';

function capitalise(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/** "INC0010231" linked to the source system when it has a link. */
export function RecordNumber(props: { record: ItsmReviewRecord }) {
  const { record } = props;
  const number = record.number ?? record.id;
  return <SourceLink url={record.url}>{number}</SourceLink>;
}

/** A short line for a record inside another row: "INC0010231 Card payments fail (P1, 6h 30m)". */
function RecordLine(props: { record: ItsmReviewRecord }) {
  const { record } = props;
  const facts = [
    record.priority ? `P${record.priority}` : null,
    record.durationSeconds !== null
      ? formatItsmDuration(record.durationSeconds)
      : null,
  ].filter(Boolean);
  return (
    <Box>
      <RecordNumber record={record} /> <RedactedText value={record.title} />
      {facts.length > 0 && (
        <Typography variant="caption" color="text.secondary">
          {' '}
          ({facts.join(', ')})
        </Typography>
      )}
    </Box>
  );
}

function None(props: { children: string }) {
  return (
    <Typography variant="body2" color="text.secondary">
      {props.children}
    </Typography>
  );
}

/** The longest and most severe records of the period. */
export function WorstRecordsTable(props: {
  records: ItsmReviewRecord[];
  terms: DepartmentTerms;
  /** The kind the records are, for the headings. */
  kind: ItsmReviewRecord['kind'];
}) {
  const { terms } = props;
  if (props.records.length === 0) {
    return <None>{`No ${terms.noun(props.kind, 2)} in this period.`}</None>;
  }
  return (
    <Table size="small" aria-label={`Worst ${terms.noun(props.kind, 2)}`}>
      <TableHead>
        <TableRow>
          <TableCell>{capitalise(terms.noun(props.kind))}</TableCell>
          <TableCell>Title</TableCell>
          <TableCell>Priority</TableCell>
          <TableCell>Opened</TableCell>
          <TableCell align="right">Duration</TableCell>
          <TableCell>State</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.records.map(record => (
          <TableRow key={record.id}>
            <TableCell>
              <RecordNumber record={record} />
            </TableCell>
            <TableCell>
              <RedactedText value={record.title} />
            </TableCell>
            <TableCell>
              {record.priority ? `P${record.priority}` : '–'}
            </TableCell>
            <TableCell>{formatInstant(record.openedAt)}</TableCell>
            <TableCell align="right">
              {formatItsmDuration(record.durationSeconds)}
            </TableCell>
            <TableCell>{record.state.replace('_', ' ')}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** Changes that failed, with the incidents each one caused. */
export function FailedChangesTable(props: {
  changes: ItsmReviewFailedChange[];
  terms: DepartmentTerms;
}) {
  const { terms } = props;
  if (props.changes.length === 0) {
    return (
      <None>{`No failed ${terms.noun('change', 2)} in this period.`}</None>
    );
  }
  return (
    <Table size="small" aria-label={`Failed ${terms.noun('change', 2)}`}>
      <TableHead>
        <TableRow>
          <TableCell>{capitalise(terms.noun('change'))}</TableCell>
          <TableCell>Title</TableCell>
          <TableCell>Opened</TableCell>
          <TableCell>{`${capitalise(
            terms.noun('incident', 2),
          )} caused`}</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.changes.map(({ change, causedIncidents }) => (
          <TableRow key={change.id}>
            <TableCell>
              <RecordNumber record={change} />
            </TableCell>
            <TableCell>
              <RedactedText value={change.title} />
            </TableCell>
            <TableCell>{formatInstant(change.openedAt)}</TableCell>
            <TableCell>
              {causedIncidents.length === 0
                ? '–'
                : causedIncidents.map(incident => (
                    <RecordLine key={incident.id} record={incident} />
                  ))}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** SLAs breached in the period. */
export function SlaBreachesTable(props: {
  breaches: ItsmReviewSlaBreach[];
  /** The first column's heading: "Record", "Case". */
  recordLabel: string;
}) {
  if (props.breaches.length === 0) {
    return <None>No SLA was breached in this period.</None>;
  }
  return (
    <Table size="small" aria-label="SLA breaches">
      <TableHead>
        <TableRow>
          <TableCell>{capitalise(props.recordLabel)}</TableCell>
          <TableCell>SLA</TableCell>
          <TableCell>Kind</TableCell>
          <TableCell align="right">Target</TableCell>
          <TableCell>Breached at</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.breaches.map(breach => (
          <TableRow key={`${breach.record.id}-${breach.sla}-${breach.kind}`}>
            <TableCell>
              <RecordLine record={breach.record} />
            </TableCell>
            <TableCell>{breach.sla}</TableCell>
            <TableCell>{breach.kind}</TableCell>
            <TableCell align="right">
              {formatItsmDuration(breach.targetSeconds)}
            </TableCell>
            <TableCell>{formatInstant(breach.breachAt)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** Problems still open at the end of the period, with how long they have been. */
export function OpenProblemsTable(props: {
  problems: ItsmReviewRecord[];
  terms: DepartmentTerms;
  /** The end of the period, for their age. */
  periodEnd: string;
}) {
  const { terms } = props;
  if (props.problems.length === 0) {
    return <None>{`No open ${terms.noun('problem', 2)}.`}</None>;
  }
  const end = Date.parse(props.periodEnd);
  return (
    <Table size="small" aria-label={`Open ${terms.noun('problem', 2)}`}>
      <TableHead>
        <TableRow>
          <TableCell>{capitalise(terms.noun('problem'))}</TableCell>
          <TableCell>Title</TableCell>
          <TableCell>Priority</TableCell>
          <TableCell>Opened</TableCell>
          <TableCell align="right">Open for</TableCell>
          <TableCell>State</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.problems.map(problem => (
          <TableRow key={problem.id}>
            <TableCell>
              <RecordNumber record={problem} />
            </TableCell>
            <TableCell>
              <RedactedText value={problem.title} />
            </TableCell>
            <TableCell>
              {problem.priority ? `P${problem.priority}` : '–'}
            </TableCell>
            <TableCell>{formatInstant(problem.openedAt)}</TableCell>
            <TableCell align="right">
              {formatItsmDuration(
                Math.max(0, (end - Date.parse(problem.openedAt)) / 1000),
              )}
            </TableCell>
            <TableCell>{problem.state.replace('_', ' ')}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
