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

import { parseEntityRef } from '@backstage/catalog-model';
import { CodeSnippet, Link, Progress } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import CheckCircleOutlineIcon from '@mui/icons-material/CheckCircleOutline';
import ErrorOutlineIcon from '@mui/icons-material/ErrorOutline';
import HelpOutlineIcon from '@mui/icons-material/HelpOutline';
import WarningAmberIcon from '@mui/icons-material/WarningAmber';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemText from '@mui/material/ListItemText';
import Typography from '@mui/material/Typography';
import { ItsmErrorPanel } from '../common';
import {
  countVerdicts,
  MY_SERVICES_KINDS,
  type MyServiceRow,
  type MyServicesResult,
  type MyServiceVerdict,
} from './myServicesModel';
import { catalogIndexRouteRef } from './routes';
import { useMyServices } from './useMyServices';

const VERDICT_CHIP: Record<
  MyServiceVerdict,
  {
    label: string;
    color: 'error' | 'warning' | 'default' | 'success';
    icon: JSX.Element;
  }
> = {
  unhealthy: {
    label: 'Unhealthy',
    color: 'error',
    icon: <ErrorOutlineIcon />,
  },
  degraded: { label: 'Degraded', color: 'warning', icon: <WarningAmberIcon /> },
  unknown: { label: 'Unknown', color: 'default', icon: <HelpOutlineIcon /> },
  healthy: {
    label: 'Healthy',
    color: 'success',
    icon: <CheckCircleOutlineIcon />,
  },
};

/** The verdict as a chip with its word, so colour is never the only cue. */
function VerdictChip(props: { verdict: MyServiceVerdict }) {
  const chip = VERDICT_CHIP[props.verdict];
  return (
    <Chip
      size="small"
      variant="outlined"
      color={chip.color}
      icon={chip.icon}
      label={chip.label}
      data-testid="my-services-verdict"
      sx={{ minWidth: 110, justifyContent: 'flex-start' }}
    />
  );
}

const KIND_LIST = MY_SERVICES_KINDS.map(
  kind => kind[0].toLocaleUpperCase('en-US') + kind.slice(1),
).join(', ');

/** No owned entity: what the user can do about it. */
function MyServicesEmptyState(props: { ownershipEntityRefs: string[] }) {
  const { ownershipEntityRefs } = props;
  if (ownershipEntityRefs.length === 0) {
    return (
      <Box data-testid="my-services-empty">
        <Typography variant="h6" gutterBottom>
          Your sign-in names no owner in the catalog
        </Typography>
        <Typography variant="body2">
          Backstage finds what you own through your User entity and the groups
          it is a member of. Ask a Backstage admin to add a User entity for you
          whose <code>spec.memberOf</code> names your team.
        </Typography>
      </Box>
    );
  }
  const owner =
    ownershipEntityRefs.find(ref => parseEntityRef(ref).kind === 'group') ??
    ownershipEntityRefs[0];
  return (
    <Box data-testid="my-services-empty">
      <Typography variant="h6" gutterBottom>
        You own no services in the catalog yet
      </Typography>
      <Typography variant="body2" paragraph>
        No {KIND_LIST} names you or your teams ({ownershipEntityRefs.join(', ')}
        ) as its owner. Add <code>spec.owner</code> to your service's
        catalog-info.yaml and register it, or wait for the next catalog refresh:
      </Typography>
      <CodeSnippet
        language="yaml"
        text={`spec:\n  owner: ${owner}`}
        showCopyCodeButton
      />
      <Typography variant="body2" sx={{ mt: 1 }}>
        Then connect its incidents and changes with the{' '}
        <code>servicenow.com/ci-sysid</code> or{' '}
        <code>pagerduty.com/service-id</code> annotation. You own services that
        do not show? Your catalog permissions may hide them: ask a Backstage
        admin.
      </Typography>
    </Box>
  );
}

function MyServiceItem(props: { row: MyServiceRow }) {
  const { row } = props;
  const reason =
    row.moreReasons > 0
      ? `${row.reason} (and ${row.moreReasons} more)`
      : row.reason;
  return (
    <ListItem divider disableGutters data-testid="my-services-row">
      <ListItemText
        primaryTypographyProps={{ component: 'div' }}
        primary={
          <Box display="flex" alignItems="center" gap={1} flexWrap="wrap">
            <VerdictChip verdict={row.verdict} />
            <EntityRefLink entityRef={row.entityRef} title={row.title} />
            <Typography variant="caption" color="text.secondary">
              {row.kind}
            </Typography>
          </Box>
        }
        secondary={reason}
      />
    </ListItem>
  );
}

/** The loaded list: a summary, the rows worst first, and what is left out. */
export function MyServicesList(props: {
  result: MyServicesResult;
  /** The catalog index page; without it "and N more" names the filter. */
  catalogLink?: string;
}) {
  const { result, catalogLink } = props;
  const { rows, totalItems } = result;
  const counts = countVerdicts(rows);
  const more = totalItems - rows.length;
  const forbidden =
    rows.length > 0 && rows.every(r => r.failure === 'forbidden');
  return (
    <Box>
      <Typography variant="body2" color="text.secondary" gutterBottom>
        Owned by you or your teams, worst first. Each verdict judges the last 30
        days against the service's targets.
      </Typography>
      <Typography variant="body2" data-testid="my-services-summary">
        {counts.unhealthy} unhealthy · {counts.degraded} degraded ·{' '}
        {counts.unknown} unknown · {counts.healthy} healthy
      </Typography>
      {forbidden && (
        <Alert severity="info" sx={{ mt: 1 }}>
          You may not read ITSM metrics, so no verdict can be shown. Ask a
          Backstage admin for the itsm.metrics.read permission.
        </Alert>
      )}
      <List dense aria-label="Your services, worst health first">
        {rows.map(row => (
          <MyServiceItem key={row.entityRef} row={row} />
        ))}
      </List>
      {more > 0 && (
        <Typography variant="body2" sx={{ mt: 1 }}>
          {catalogLink ? (
            <Link to={`${catalogLink}?filters[user]=owned`}>
              and {more} more in the catalog
            </Link>
          ) : (
            `and ${more} more: see the catalog with the Owned filter`
          )}
        </Typography>
      )}
    </Box>
  );
}

/**
 * The signed-in user's services with their health verdicts, worst first:
 * the content of the My services home card.
 */
export function MyServicesContent() {
  const state = useMyServices();
  const catalogIndex = useRouteRef(catalogIndexRouteRef);
  if (state.loading) {
    return <Progress />;
  }
  if (state.error) {
    return (
      <Box>
        <ItsmErrorPanel
          error={state.error}
          title="Your services could not be loaded"
        />
        <Button onClick={state.retry} sx={{ mt: 1 }}>
          Try again
        </Button>
      </Box>
    );
  }
  if (state.value.rows.length === 0) {
    return (
      <MyServicesEmptyState
        ownershipEntityRefs={state.value.ownershipEntityRefs}
      />
    );
  }
  return <MyServicesList result={state.value} catalogLink={catalogIndex?.()} />;
}
