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

import { InfoCard } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type {
  ItsmImprovementCreateRequest,
  ItsmServiceReview,
} from '@backstage-itsm/plugin-itsm-common';
import DownloadIcon from '@mui/icons-material/Download';
import EditIcon from '@mui/icons-material/Edit';
import LockIcon from '@mui/icons-material/Lock';
import LockOpenIcon from '@mui/icons-material/LockOpen';
import PrintIcon from '@mui/icons-material/Print';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import GlobalStyles from '@mui/material/GlobalStyles';
import Grid from '@mui/material/Grid';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { DateTime } from 'luxon';
import type { ReactNode } from 'react';
import { departmentTerms, formatInstant } from '../common';
import {
  headlineMetricIds,
  selectDepartmentMetrics,
} from '../OutcomeMetricsCard/departmentMetrics';
import { DataFreshness } from '../DataFreshness';
import { HealthVerdict } from '../ServiceOwnershipCard/HealthVerdict';
import { ReviewDecisions } from './ReviewDecisions';
import { ReviewImprovements } from './ReviewImprovements';
import { ReviewMetricsTable, ReviewTrendCharts } from './ReviewMetrics';
import {
  FailedChangesTable,
  OpenProblemsTable,
  SlaBreachesTable,
  WorstRecordsTable,
} from './ReviewRecords';
import { HoldAvailability, isEmptyReview } from './reviewModel';

/** Class of everything the printed review leaves out (buttons, pickers). */
const NO_PRINT = 'itsm-review-no-print';

/**
 * Print and "Save as PDF": Backstage already hides its sidebar; this hides
 * the header's buttons and tabs and the review's own controls, and keeps
 * each section on one page where it fits.
 */
export function PrintStyles() {
  return (
    <GlobalStyles
      styles={{
        '@media print': {
          [`.${NO_PRINT}, nav[aria-label="sidebar nav"], header button, header [class*="rightItemsBox"], [class*="BackstageHeaderTabs"], [role="tablist"]`]:
            { display: 'none !important' },
          '.itsm-review-section': { breakInside: 'avoid' },
          body: { background: '#fff' },
        },
      }}
    />
  );
}

/** A date of the review's period; `exclusiveEnd` names the day before. */
export function dateOf(iso: string, exclusiveEnd = false): string {
  let at = DateTime.fromISO(iso, { zone: 'utc' });
  if (exclusiveEnd) at = at.minus({ days: 1 });
  return at.toLocaleString(DateTime.DATE_MED);
}

function Section(props: {
  title: string;
  subheader?: string;
  children: ReactNode;
}) {
  return (
    <Grid item xs={12}>
      <InfoCard
        title={props.title}
        subheader={props.subheader}
        className="itsm-review-section"
      >
        {props.children}
      </InfoCard>
    </Grid>
  );
}

/** A loaded service review, every section from the one response. */
export function ServiceReviewView(props: {
  review: ItsmServiceReview;
  department?: string;
  /** Prefilled values of an action added from the review. */
  actionDefaults: Partial<ItsmImprovementCreateRequest>;
  onHold: () => void;
  onDownload: () => void;
  downloading?: boolean;
  /** Whether the hold button works (default yes), and why not. */
  hold?: HoldAvailability;
  /** The caller may amend and release the held review (`itsm.review.update`). */
  canUpdate?: boolean;
  onAmend?: () => void;
  onRelease?: () => void;
}) {
  const { review } = props;
  const hold = props.hold ?? { enabled: true };
  const amendments = review.held?.amendments ?? [];
  const lastAmendment = amendments[amendments.length - 1];
  const department = props.department ?? 'it';
  const terms = departmentTerms(department);
  const it = department === 'it';
  const { shown } = selectDepartmentMetrics(review.metrics, department);
  const headline = headlineMetricIds(review.metrics, department);
  const cases = terms.noun('request', 2);
  // Sections about kinds the desk does not work with appear only when they
  // have something in them (an HR desk has no changes or problems).
  const shows = (kind: 'incident' | 'change' | 'problem', count: number) =>
    terms.kinds.includes(kind) || count > 0;

  return (
    <Box>
      <Stack
        direction="row"
        gap={1}
        flexWrap="wrap"
        sx={{ mb: 2 }}
        className={NO_PRINT}
      >
        {!review.held && (
          <Button
            variant="contained"
            startIcon={<LockIcon />}
            onClick={props.onHold}
            disabled={!hold.enabled}
            aria-describedby={
              hold.reason ? 'itsm-review-hold-reason' : undefined
            }
          >
            Hold this review
          </Button>
        )}
        <Button
          variant="outlined"
          startIcon={<DownloadIcon />}
          onClick={props.onDownload}
          disabled={props.downloading}
        >
          Download Markdown
        </Button>
        <Button
          variant="outlined"
          startIcon={<PrintIcon />}
          onClick={() => window.print()}
        >
          Print / PDF
        </Button>
        {!review.held && hold.reason && (
          <Typography
            id="itsm-review-hold-reason"
            variant="body2"
            color="text.secondary"
            sx={{ alignSelf: 'center' }}
          >
            {hold.reason}
          </Typography>
        )}
      </Stack>
      {review.held && (
        <Alert
          severity="info"
          icon={<LockIcon />}
          sx={{ mb: 2 }}
          data-testid="itsm-review-held"
        >
          <AlertTitle>
            Held by{' '}
            <EntityRefLink entityRef={review.held.heldBy} defaultKind="user" />{' '}
            on {formatInstant(review.held.heldAt)}
          </AlertTitle>
          {review.held.figures === 'live'
            ? 'Your permissions do not let you count every record the held numbers count, so the numbers below are computed now, under your permissions. The decisions are those of the held review.'
            : 'The numbers are frozen as they were when the review was held.'}
          {lastAmendment && (
            <>
              {' '}
              Decisions amended{' '}
              {amendments.length === 1 ? 'once' : `${amendments.length} times`},
              last by{' '}
              <EntityRefLink entityRef={lastAmendment.by} defaultKind="user" />{' '}
              on {formatInstant(lastAmendment.at)}.
            </>
          )}
          {props.canUpdate && (
            <Stack direction="row" gap={1} sx={{ mt: 1 }} className={NO_PRINT}>
              <Button
                size="small"
                variant="outlined"
                startIcon={<EditIcon />}
                onClick={props.onAmend}
              >
                Amend decisions
              </Button>
              <Button
                size="small"
                variant="outlined"
                color="error"
                startIcon={<LockOpenIcon />}
                onClick={props.onRelease}
              >
                Release
              </Button>
            </Stack>
          )}
        </Alert>
      )}
      <HealthVerdict health={review.health} />
      {review.hiddenRecordCount > 0 && (
        <Alert severity="info" sx={{ mb: 2 }} data-testid="itsm-review-hidden">
          {review.hiddenRecordCount}{' '}
          {review.hiddenRecordCount === 1 ? 'record' : 'records'} hidden by
          permissions: the numbers count them, the lists leave them out.
        </Alert>
      )}
      {isEmptyReview(review) && (
        <Alert severity="info" sx={{ mb: 2 }}>
          {it
            ? 'No record of this entity falls in the period.'
            : `No ${terms.noun(
                'request',
              )} of this entity falls in the period.`}{' '}
          If you expected some, check that the entity bears the annotation a
          connected source maps on (for example servicenow.com/ci-sysid or
          pagerduty.com/service-id), or pick another period.
        </Alert>
      )}
      <Grid container spacing={2}>
        <Section
          title="Metrics against targets"
          subheader={`Compared with ${dateOf(review.previous.from)} – ${dateOf(
            review.previous.to,
            true,
          )}`}
        >
          {shown.length === 0 ? (
            <Typography variant="body2" color="text.secondary">
              No metric has data in this period: metrics are computed from the
              records of a connected source. Add the source's annotation to the
              entity, or pick a longer period.
            </Typography>
          ) : (
            <>
              <ReviewMetricsTable metrics={shown} department={department} />
              <ReviewTrendCharts
                metrics={shown}
                series={review.series}
                headline={headline}
                department={department}
              />
            </>
          )}
          <DataFreshness sources={review.sources} />
        </Section>
        {shows('incident', review.worstIncidents.length) && (
          <Section
            title={`Worst ${terms.noun('incident', 2)}`}
            subheader="P1s first, then the longest outages"
          >
            <WorstRecordsTable
              records={review.worstIncidents}
              terms={terms}
              kind="incident"
            />
          </Section>
        )}
        {shows('change', review.failedChanges.length) && (
          <Section
            title={`Failed ${terms.noun('change', 2)}`}
            subheader={`With the ${terms.noun('incident', 2)} they caused`}
          >
            <FailedChangesTable changes={review.failedChanges} terms={terms} />
          </Section>
        )}
        <Section
          title={
            it
              ? 'SLA breaches'
              : `${cases.charAt(0).toUpperCase()}${cases.slice(
                  1,
                )} that breached their SLA`
          }
        >
          <SlaBreachesTable
            breaches={review.slaBreaches}
            recordLabel={it ? 'Record' : terms.noun('request')}
          />
        </Section>
        {shows('problem', review.openProblems.length) && (
          <Section title={`Open ${terms.noun('problem', 2)}`}>
            <OpenProblemsTable
              problems={review.openProblems}
              terms={terms}
              periodEnd={review.period.to}
            />
          </Section>
        )}
        <Section
          title="Improvements"
          subheader="Due, overdue and completed, with their measured effect"
        >
          <ReviewImprovements review={review} />
        </Section>
        <Section title="Decisions and actions">
          <ReviewDecisions
            review={review}
            actionDefaults={props.actionDefaults}
          />
        </Section>
      </Grid>
      <Typography
        variant="caption"
        color="text.secondary"
        component="div"
        sx={{ mt: 1 }}
      >
        Generated {formatInstant(review.generatedAt)}
      </Typography>
    </Box>
  );
}
