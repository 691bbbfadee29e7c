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

import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { itsmOwnerRefOf } from '@backstage-itsm/plugin-itsm-common';
import { EntityRefLinks, useEntity } from '@backstage/plugin-catalog-react';
import AddIcon from '@mui/icons-material/Add';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import MuiLink from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useMemo, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { itsmApiRef } from '../../api';
import { InlineRow, ItsmErrorPanel } from '../common';
import { ImprovementOverlays } from './ImprovementOverlays';
import { ImprovementProgressSummary } from './ImprovementProgress';
import { ImprovementsEmptyState } from './ImprovementsEmptyState';
import {
  compareOpenFirst,
  daysFromToday,
  formatDate,
  isOpen,
  STATUS_COLOUR,
  STATUS_LABEL,
} from './improvementModel';

/** Whether a ref names a team or person, whose card lists what they own. */
function isOwnerRef(entityRef: string): boolean {
  try {
    const kind = parseEntityRef(entityRef).kind.toLocaleLowerCase('en-US');
    return kind === 'group' || kind === 'user';
  } catch {
    return false;
  }
}

/** Props of {@link ImprovementsCard}. */
export interface ImprovementsCardProps {
  /**
   * The entity. For a group or user, the card lists the improvements about
   * the entities it owns and those it leads (owner), naming the entities.
   */
  entityRef: string;
  /** Prefills new improvements. */
  ownerRef?: string;
  /** The tracker page; the card links to it filtered by the entity. */
  trackerLink?: string;
}

/** The improvements of one entity, open ones first, with their progress. */
export function ImprovementsCard(props: ImprovementsCardProps) {
  const api = useApi(itsmApiRef);
  const { entityRef } = props;
  const team = isOwnerRef(entityRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () =>
      api.getImprovements(
        team ? { ownedBy: entityRef, limit: 100 } : { entityRef, limit: 100 },
      ),
    [api, entityRef, team],
  );
  const [creating, setCreating] = useState(false);
  const [selectedId, setSelectedId] = useState<string>();
  const items = useMemo(
    () => [...(value?.items ?? [])].sort(compareOpenFirst),
    [value],
  );

  let content: JSX.Element;
  if (error) {
    content = (
      <ItsmErrorPanel error={error} title="Could not load improvements" />
    );
  } else if (loading && !value) {
    content = <Progress />;
  } else if (items.length === 0) {
    content = (
      <ImprovementsEmptyState onCreate={() => setCreating(true)} team={team} />
    );
  } else {
    content = (
      <Stack divider={<Box sx={{ borderTop: 1, borderColor: 'divider' }} />}>
        {items.map(item => (
          <Stack
            key={item.id}
            direction={{ xs: 'column', md: 'row' }}
            gap={2}
            sx={{ py: 1 }}
            data-testid={`itsm-improvement-${item.id}`}
          >
            <Box sx={{ flex: 1, minWidth: 0 }}>
              <MuiLink
                component="button"
                variant="body1"
                textAlign="left"
                onClick={() => setSelectedId(item.id)}
              >
                {item.title}
              </MuiLink>
              <InlineRow>
                <Chip
                  size="small"
                  color={STATUS_COLOUR[item.status]}
                  label={STATUS_LABEL[item.status]}
                />
                <Typography
                  variant="caption"
                  color={item.progress.overdue ? 'error' : 'text.secondary'}
                >
                  {item.dueDate
                    ? `due ${formatDate(item.dueDate)}${
                        item.progress.overdue ? ' (overdue)' : ''
                      }`
                    : 'no due date'}
                </Typography>
              </InlineRow>
              {team && (
                <Typography
                  variant="caption"
                  color="text.secondary"
                  component="div"
                  sx={{ mt: 0.5 }}
                >
                  on <EntityRefLinks entityRefs={item.entityRefs} />
                  {item.ownerRef !== entityRef && (
                    <>
                      {' · led by '}
                      <EntityRefLinks entityRefs={[item.ownerRef]} />
                    </>
                  )}
                </Typography>
              )}
            </Box>
            <Box sx={{ width: { md: 280 } }}>
              <ImprovementProgressSummary improvement={item} />
            </Box>
          </Stack>
        ))}
      </Stack>
    );
  }

  const trackerLink = props.trackerLink
    ? `${props.trackerLink}?${
        team ? 'ownedBy' : 'entityRef'
      }=${encodeURIComponent(entityRef)}`
    : undefined;

  return (
    <InfoCard
      title="Continual improvement"
      subheader={
        value && value.totalCount > 0
          ? `${items.filter(i => isOpen(i.status)).length} open of ${
              value.totalCount
            }`
          : undefined
      }
      action={
        <Button
          size="small"
          startIcon={<AddIcon />}
          onClick={() => setCreating(true)}
          sx={{ mt: 1, mr: 1 }}
        >
          New improvement
        </Button>
      }
      deepLink={
        trackerLink
          ? { title: 'All improvements', link: trackerLink }
          : undefined
      }
    >
      {content}
      <ImprovementOverlays
        creating={creating}
        onCreatingChange={setCreating}
        initial={{
          // A team's improvement is about something it owns: the user names it.
          entityRefs: team ? [] : [entityRef],
          ownerRef: team ? entityRef : props.ownerRef,
          dueDate: daysFromToday(90),
        }}
        selectedId={selectedId}
        onSelect={setSelectedId}
        onChanged={retry}
      />
    </InfoCard>
  );
}

/** Props of {@link EntityImprovementsCard}. */
export interface EntityImprovementsCardProps {
  /** The tracker page; the card links to it filtered by the entity. */
  trackerLink?: string;
}

/** {@link ImprovementsCard} for the entity of the current entity page. */
export function EntityImprovementsCard(props: EntityImprovementsCardProps) {
  const { entity } = useEntity();
  return (
    <ImprovementsCard
      entityRef={stringifyEntityRef(entity)}
      ownerRef={itsmOwnerRefOf(entity)}
      trackerLink={props.trackerLink}
    />
  );
}
