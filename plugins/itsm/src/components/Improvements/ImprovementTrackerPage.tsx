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
  Content,
  ContentHeader,
  Header,
  Page,
  Progress,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink, EntityRefLinks } from '@backstage/plugin-catalog-react';
import {
  ITSM_IMPROVEMENT_STATUSES,
  ItsmImprovement,
  ItsmImprovementStatus,
} from '@backstage-itsm/plugin-itsm-common';
import AddIcon from '@mui/icons-material/Add';
import ArrowDownwardIcon from '@mui/icons-material/ArrowDownward';
import ArrowUpwardIcon from '@mui/icons-material/ArrowUpward';
import Autocomplete from '@mui/material/Autocomplete';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import FormControlLabel from '@mui/material/FormControlLabel';
import IconButton from '@mui/material/IconButton';
import LinearProgress from '@mui/material/LinearProgress';
import MuiLink from '@mui/material/Link';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Switch from '@mui/material/Switch';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TablePagination from '@mui/material/TablePagination';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { ItsmImprovementsQuery, itsmApiRef } from '../../api';
import { ItsmErrorPanel, useDebounced } from '../common';
import { ImprovementOverlays } from './ImprovementOverlays';
import { ImprovementProgressSummary } from './ImprovementProgress';
import { ImprovementsEmptyState } from './ImprovementsEmptyState';
import {
  formatDate,
  normaliseRef,
  PRIORITY_COLOUR,
  PRIORITY_LABEL,
  STATUS_COLOUR,
  STATUS_LABEL,
} from './improvementModel';

type SortKey = 'dueDate' | 'priority' | 'updatedAt';

const SORT_LABEL: Record<SortKey, string> = {
  dueDate: 'Due date',
  priority: 'Priority',
  updatedAt: 'Last updated',
};

const DEFAULT_ORDER: Record<SortKey, 'asc' | 'desc'> = {
  dueDate: 'asc',
  priority: 'asc',
  updatedAt: 'desc',
};

/** The filters of the tracker, as the user set them. */
export interface ImprovementFilters {
  /**
   * A group's or user's improvements: about what it owns or led by it (the
   * `ownedBy` of the team card's "All improvements" link).
   */
  ownedBy?: string;
  ownerRef: string;
  entityRef: string;
  status: ItsmImprovementStatus[];
  overdue: boolean;
  q: string;
  sort: SortKey;
  order: 'asc' | 'desc';
}

/** The API query of the filters: refs in full form, empty ones left out. */
export function toQuery(
  filters: ImprovementFilters,
  page: number,
  pageSize: number,
): ItsmImprovementsQuery {
  const ownerRef = filters.ownerRef.trim();
  const entityRef = filters.entityRef.trim();
  const q = filters.q.trim();
  return {
    ...(filters.ownedBy && { ownedBy: filters.ownedBy }),
    ...(ownerRef && { ownerRef: normaliseRef(ownerRef, 'group') ?? ownerRef }),
    ...(entityRef && {
      entityRef: normaliseRef(entityRef, 'component') ?? entityRef,
    }),
    ...(filters.status.length > 0 && { status: filters.status }),
    ...(filters.overdue && { overdue: true }),
    ...(q && { q }),
    sort: filters.sort,
    order: filters.order,
    limit: pageSize,
    offset: page * pageSize,
  };
}

function FilterBar(props: {
  filters: ImprovementFilters;
  owners: string[];
  onChange: (filters: ImprovementFilters) => void;
}) {
  const { filters, onChange } = props;
  const set = (patch: Partial<ImprovementFilters>) =>
    onChange({ ...filters, ...patch });
  return (
    <Stack
      direction="row"
      gap={2}
      flexWrap="wrap"
      alignItems="center"
      sx={{ mb: 2 }}
    >
      {filters.ownedBy && (
        <Chip
          label={`Owned or led by ${filters.ownedBy}`}
          onDelete={() => set({ ownedBy: undefined })}
        />
      )}
      <TextField
        label="Search"
        size="small"
        value={filters.q}
        onChange={e => set({ q: e.target.value })}
        placeholder="Title or description"
      />
      <Autocomplete
        freeSolo
        options={props.owners}
        inputValue={filters.ownerRef}
        onInputChange={(_, value) => set({ ownerRef: value })}
        sx={{ width: 260 }}
        renderInput={params => (
          <TextField
            {...params}
            label="Owner"
            size="small"
            placeholder="group:default/team-a"
          />
        )}
      />
      <TextField
        label="Entity"
        size="small"
        value={filters.entityRef}
        onChange={e => set({ entityRef: e.target.value })}
        placeholder="component:default/payments-api"
        sx={{ width: 260 }}
      />
      <ToggleButtonGroup
        size="small"
        value={filters.status}
        onChange={(_, status: ItsmImprovementStatus[]) => set({ status })}
        aria-label="Status"
      >
        {ITSM_IMPROVEMENT_STATUSES.map(s => (
          <ToggleButton key={s} value={s} sx={{ textTransform: 'none' }}>
            {STATUS_LABEL[s]}
          </ToggleButton>
        ))}
      </ToggleButtonGroup>
      <FormControlLabel
        control={
          <Switch
            checked={filters.overdue}
            onChange={e => set({ overdue: e.target.checked })}
          />
        }
        label="Overdue only"
      />
      <Stack direction="row" alignItems="center">
        <TextField
          select
          label="Sort by"
          size="small"
          value={filters.sort}
          onChange={e => {
            const sort = e.target.value as SortKey;
            set({ sort, order: DEFAULT_ORDER[sort] });
          }}
          sx={{ width: 160 }}
        >
          {(Object.keys(SORT_LABEL) as SortKey[]).map(key => (
            <MenuItem key={key} value={key}>
              {SORT_LABEL[key]}
            </MenuItem>
          ))}
        </TextField>
        <Tooltip title={filters.order === 'asc' ? 'Ascending' : 'Descending'}>
          <IconButton
            aria-label={`Sort ${
              filters.order === 'asc' ? 'descending' : 'ascending'
            }`}
            onClick={() =>
              set({ order: filters.order === 'asc' ? 'desc' : 'asc' })
            }
          >
            {filters.order === 'asc' ? (
              <ArrowUpwardIcon fontSize="small" />
            ) : (
              <ArrowDownwardIcon fontSize="small" />
            )}
          </IconButton>
        </Tooltip>
      </Stack>
    </Stack>
  );
}

/** The improvements as a table; the title opens the details. */
export function ImprovementTable(props: {
  items: ItsmImprovement[];
  onOpen: (id: string) => void;
}) {
  return (
    <TableContainer>
      <Table size="small" aria-label="Improvements">
        <TableHead>
          <TableRow>
            <TableCell>Title</TableCell>
            <TableCell>Status</TableCell>
            <TableCell>Priority</TableCell>
            <TableCell>Owner</TableCell>
            <TableCell>Entities</TableCell>
            <TableCell>Due</TableCell>
            <TableCell>Metric</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {props.items.map(item => (
            <TableRow
              key={item.id}
              hover
              data-testid={`itsm-improvement-${item.id}`}
            >
              <TableCell>
                <MuiLink
                  component="button"
                  variant="body2"
                  textAlign="left"
                  onClick={() => props.onOpen(item.id)}
                >
                  {item.title}
                </MuiLink>
              </TableCell>
              <TableCell>
                <Chip
                  size="small"
                  color={STATUS_COLOUR[item.status]}
                  label={STATUS_LABEL[item.status]}
                />
              </TableCell>
              <TableCell>
                <Chip
                  size="small"
                  variant="outlined"
                  color={PRIORITY_COLOUR[item.priority]}
                  label={PRIORITY_LABEL[item.priority]}
                />
              </TableCell>
              <TableCell>
                <EntityRefLink entityRef={item.ownerRef} />
              </TableCell>
              <TableCell>
                <EntityRefLinks entityRefs={item.entityRefs} />
              </TableCell>
              <TableCell
                sx={{
                  whiteSpace: 'nowrap',
                  color: item.progress.overdue ? 'error.main' : undefined,
                  fontWeight: item.progress.overdue ? 600 : undefined,
                }}
                title={item.progress.overdue ? 'Overdue' : undefined}
              >
                {formatDate(item.dueDate)}
              </TableCell>
              <TableCell>
                <ImprovementProgressSummary improvement={item} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

/** Props of {@link ImprovementTrackerPage}. */
export interface ImprovementTrackerPageProps {
  /**
   * The path of this page, for links that keep filters; the page reads
   * `ownedBy`, `ownerRef`, `entityRef` and `status` from its URL query
   * either way.
   */
  trackerLink?: string;
}

/** All improvements the user may read, with filters, progress and details. */
export function ImprovementTrackerPage(_props: ImprovementTrackerPageProps) {
  const api = useApi(itsmApiRef);
  const [searchParams] = useSearchParams();
  const [filters, setFilters] = useState<ImprovementFilters>(() => {
    const status = (searchParams.get('status') ?? '')
      .split(',')
      .filter((s): s is ItsmImprovementStatus =>
        (ITSM_IMPROVEMENT_STATUSES as readonly string[]).includes(s),
      );
    return {
      ownedBy: searchParams.get('ownedBy') ?? undefined,
      ownerRef: searchParams.get('ownerRef') ?? '',
      entityRef: searchParams.get('entityRef') ?? '',
      status,
      overdue: searchParams.get('overdue') === 'true',
      q: searchParams.get('q') ?? '',
      sort: 'dueDate',
      order: 'asc',
    };
  });
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(25);
  const [selectedId, setSelectedId] = useState<string>();
  const [creating, setCreating] = useState(false);
  const [owners, setOwners] = useState<string[]>([]);

  const debounced = useDebounced(filters);
  const query = useMemo(
    () => toQuery(debounced, page, pageSize),
    [debounced, page, pageSize],
  );
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getImprovements(query),
    [api, query],
  );

  // Remember every owner seen, so narrowing the list keeps the choices.
  useEffect(() => {
    if (!value) return;
    setOwners(previous => {
      const all = new Set([...previous, ...value.items.map(i => i.ownerRef)]);
      return all.size === previous.length ? previous : [...all].sort();
    });
  }, [value]);

  const filtered =
    Boolean(filters.ownedBy) ||
    Boolean(filters.ownerRef.trim()) ||
    Boolean(filters.entityRef.trim()) ||
    Boolean(filters.q.trim()) ||
    filters.status.length > 0 ||
    filters.overdue;

  let body: JSX.Element;
  if (error) {
    body = <ItsmErrorPanel error={error} title="Could not load improvements" />;
  } else if (!value) {
    body = <Progress />;
  } else if (value.items.length === 0) {
    body = (
      <ImprovementsEmptyState
        filtered={filtered}
        onCreate={() => setCreating(true)}
      />
    );
  } else {
    body = (
      <>
        <ImprovementTable items={value.items} onOpen={setSelectedId} />
        <TablePagination
          component="div"
          count={value.totalCount}
          page={page}
          rowsPerPage={pageSize}
          rowsPerPageOptions={[10, 25, 50, 100]}
          onPageChange={(_, next) => setPage(next)}
          onRowsPerPageChange={e => {
            setPageSize(Number(e.target.value));
            setPage(0);
          }}
        />
      </>
    );
  }

  return (
    <Page themeId="tool">
      <Header
        title="Continual improvement"
        subtitle="Agreed improvements to services, their owners and measured progress"
      />
      <Content>
        <ContentHeader title="Improvements">
          <Button
            variant="contained"
            startIcon={<AddIcon />}
            onClick={() => setCreating(true)}
          >
            New improvement
          </Button>
        </ContentHeader>
        <Paper sx={{ p: 2 }}>
          <FilterBar
            filters={filters}
            owners={owners}
            onChange={next => {
              setFilters(next);
              setPage(0);
            }}
          />
          <Box sx={{ height: 4 }}>{loading && value && <LinearProgress />}</Box>
          {value && (
            <Typography variant="body2" color="text.secondary" sx={{ my: 1 }}>
              {value.totalCount.toLocaleString()} improvement
              {value.totalCount === 1 ? '' : 's'}
            </Typography>
          )}
          {body}
        </Paper>
      </Content>
      <ImprovementOverlays
        creating={creating}
        onCreatingChange={setCreating}
        initial={{
          // A team's list proposes the team as owner, unless one is filtered.
          ...(filters.ownedBy && { ownerRef: filters.ownedBy }),
          ...(filters.ownerRef.trim() && {
            ownerRef: normaliseRef(filters.ownerRef, 'group'),
          }),
          ...(filters.entityRef.trim() && {
            entityRefs: [
              normaliseRef(filters.entityRef, 'component') ?? filters.entityRef,
            ],
          }),
        }}
        selectedId={selectedId}
        onSelect={setSelectedId}
        onChanged={retry}
      />
    </Page>
  );
}
