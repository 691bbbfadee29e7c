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

import { InfoCard, Link, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  isSafeItsmUrl,
  type ItsmHealth,
  type ItsmOwnership,
  type ItsmOwnershipContact,
  type ItsmOwnershipSourceFacts,
} from '@backstage-itsm/plugin-itsm-common';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Divider from '@mui/material/Divider';
import Grid from '@mui/material/Grid';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import useAsync from 'react-use/esm/useAsync';
import { itsmApiRef } from '../../api';
import { ItsmErrorPanel, SourceLink } from '../common';
import { HealthVerdict } from './HealthVerdict';

function Contact(props: { contact: ItsmOwnershipContact }) {
  const { contact } = props;
  let name: React.ReactNode = contact.name;
  if (contact.entityRef) {
    name = <EntityRefLink entityRef={contact.entityRef} title={contact.name} />;
  } else if (contact.url) {
    name = <SourceLink url={contact.url}>{contact.name}</SourceLink>;
  }
  return (
    <Typography variant="body2" component="span">
      {name}
      {contact.email && (
        <>
          {' '}
          <Link to={`mailto:${contact.email}`}>{contact.email}</Link>
        </>
      )}
    </Typography>
  );
}

function Section(props: { title: string; children: React.ReactNode }) {
  return (
    <Box sx={{ mb: 2 }}>
      <Typography variant="overline" color="text.secondary">
        {props.title}
      </Typography>
      <Box>{props.children}</Box>
    </Box>
  );
}

function OnCall(props: { sources: ItsmOwnershipSourceFacts[]; it: boolean }) {
  const withOnCall = props.sources.filter(
    s => s.onCall?.length || s.escalationPolicy,
  );
  if (withOnCall.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary">
        {props.it
          ? 'No on-call source maps to this entity (add a pagerduty.com/service-id annotation).'
          : 'No on-duty rota maps to this service desk.'}
      </Typography>
    );
  }
  return (
    <>
      {withOnCall.map(source => (
        <Box key={source.sourceId} sx={{ mb: 1 }}>
          <Stack direction="row" gap={1} alignItems="center" flexWrap="wrap">
            <Typography variant="body2" fontWeight={600}>
              Now:
            </Typography>
            {(source.onCall ?? []).map(c => (
              <Contact key={`${c.name}-${c.email}`} contact={c} />
            ))}
            {source.url && (
              <SourceLink url={source.url}>{source.sourceName}</SourceLink>
            )}
          </Stack>
          {source.escalationPolicy && (
            <Box sx={{ mt: 0.5 }}>
              <Typography variant="caption" color="text.secondary">
                Escalation:{' '}
                <SourceLink url={source.escalationPolicy.url}>
                  {source.escalationPolicy.name}
                </SourceLink>
              </Typography>
              <Box component="ol" sx={{ m: 0, pl: 3 }}>
                {source.escalationPolicy.levels.map(level => (
                  <li key={level.level}>
                    <Typography variant="body2" component="span">
                      {level.targets.map(t => t.name).join(', ') || '–'}
                      {level.delayMinutes !== undefined && (
                        <Typography variant="caption" color="text.secondary">
                          {' '}
                          (after {level.delayMinutes} min)
                        </Typography>
                      )}
                    </Typography>
                  </li>
                ))}
              </Box>
            </Box>
          )}
        </Box>
      ))}
    </>
  );
}

/**
 * The ownership card's body for loaded data. For an HR or facilities desk
 * (`department`), the IT wording (on call, CMDB) gives way to its own.
 */
export function ServiceOwnershipView(props: {
  ownership: ItsmOwnership;
  health?: ItsmHealth;
  /** False when no source covers the entity: there is no verdict to give. */
  covered?: boolean;
  department?: string;
}) {
  const { ownership } = props;
  const it = !props.department || props.department === 'it';
  const cmdb = ownership.sources.filter(
    s => s.owner || s.supportGroup || s.criticality,
  );
  return (
    <Box>
      <HealthVerdict health={props.health} covered={props.covered} />
      {ownership.drift.length > 0 && (
        <Alert
          severity="warning"
          sx={{ mb: 2 }}
          data-testid="itsm-ownership-drift"
        >
          Ownership drift: {ownership.drift.map(d => d.message).join('; ')}.
        </Alert>
      )}
      <Grid container spacing={2}>
        <Grid item xs={12} md={6}>
          <Section title="Owner">
            {ownership.owner ? (
              <>
                <Typography variant="body1">
                  <EntityRefLink
                    entityRef={ownership.owner.entityRef}
                    title={ownership.owner.title}
                  />
                </Typography>
                {ownership.owner.email && (
                  <Link to={`mailto:${ownership.owner.email}`}>
                    {ownership.owner.email}
                  </Link>
                )}
                <Stack
                  direction="row"
                  gap={0.5}
                  flexWrap="wrap"
                  sx={{ mt: 0.5 }}
                >
                  {ownership.owner.members.map(m => (
                    <Chip
                      key={m.entityRef ?? m.name}
                      size="small"
                      label={m.name}
                    />
                  ))}
                </Stack>
              </>
            ) : (
              <Typography variant="body2" color="text.secondary">
                No owner in the catalog.
              </Typography>
            )}
          </Section>
          <Section title="Support">
            <Typography variant="body2">
              Hours: {ownership.supportHours ?? 'not set'} · Tier:{' '}
              {ownership.tier ?? 'not set'}
            </Typography>
            {ownership.escalationContact && (
              <Typography variant="body2">
                Escalation contact: {ownership.escalationContact}
              </Typography>
            )}
          </Section>
        </Grid>
        <Grid item xs={12} md={6}>
          <Section title={it ? 'On call' : 'On duty'}>
            <OnCall sources={ownership.sources} it={it} />
          </Section>
          <Section title={it ? 'CMDB' : 'Service desk record'}>
            {cmdb.length === 0 ? (
              <Typography variant="body2" color="text.secondary">
                {it
                  ? 'No CMDB record maps to this entity.'
                  : 'No service desk record maps to this entity.'}
              </Typography>
            ) : (
              cmdb.map(s => (
                <Box key={s.sourceId}>
                  {s.owner && (
                    <Typography variant="body2">
                      Owner: <Contact contact={s.owner} />
                    </Typography>
                  )}
                  {s.supportGroup && (
                    <Typography variant="body2">
                      Support group: <Contact contact={s.supportGroup} />
                    </Typography>
                  )}
                  {s.criticality && (
                    <Typography variant="body2">
                      Criticality: {s.criticality}
                    </Typography>
                  )}
                  {isSafeItsmUrl(s.url) && (
                    <SourceLink url={s.url}>Open in {s.sourceName}</SourceLink>
                  )}
                </Box>
              ))
            )}
          </Section>
        </Grid>
      </Grid>
      {ownership.sourceErrors.length > 0 && (
        <>
          <Divider sx={{ my: 1 }} />
          <Typography variant="caption" color="text.secondary">
            Not answering:{' '}
            {ownership.sourceErrors.map(e => e.sourceId).join(', ')}
          </Typography>
        </>
      )}
    </Box>
  );
}

/**
 * Who owns, supports and is on call for an entity, and whether it is healthy.
 * `department` (`hr`, `facilities`) swaps the IT wording for the desk's own.
 */
export function ServiceOwnershipCard(props: {
  entityRef: string;
  department?: string;
}) {
  const api = useApi(itsmApiRef);
  const { value, loading, error } = useAsync(async () => {
    const [ownership, metrics] = await Promise.all([
      api.getOwnership(props.entityRef),
      // The verdict is a bonus: the card stands without it.
      api.getMetrics({ entityRef: props.entityRef }).catch(() => undefined),
    ]);
    return {
      ownership,
      health: metrics?.health,
      covered: metrics?.coverage?.covered,
    };
  }, [api, props.entityRef]);

  let content: JSX.Element;
  if (loading) content = <Progress />;
  else if (error)
    content = <ItsmErrorPanel error={error} title="Could not load ownership" />;
  else
    content = (
      <ServiceOwnershipView
        ownership={value!.ownership}
        health={value!.health}
        covered={value!.covered}
        department={props.department}
      />
    );
  return <InfoCard title="Service ownership">{content}</InfoCard>;
}
