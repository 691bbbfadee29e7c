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

import { Link, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink, EntityRefLinks } from '@backstage/plugin-catalog-react';
import type {
  ItsmImprovement,
  ItsmImprovementDetails,
  ItsmImprovementRecordLink,
} from '@backstage-itsm/plugin-itsm-common';
import CloseIcon from '@mui/icons-material/Close';
import DeleteIcon from '@mui/icons-material/Delete';
import EditIcon from '@mui/icons-material/Edit';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import Divider from '@mui/material/Divider';
import Drawer from '@mui/material/Drawer';
import IconButton from '@mui/material/IconButton';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { itsmApiRef } from '../../api';
import { DetailField, formatInstant, ItsmErrorPanel } from '../common';
import { ImprovementDialog } from './ImprovementDialog';
import { CommentBox, History } from './ImprovementHistory';
import { ImprovementProgressPanel } from './ImprovementProgress';
import {
  errorStatus,
  formatDate,
  PRIORITY_COLOUR,
  PRIORITY_LABEL,
  STATUS_COLOUR,
  STATUS_LABEL,
} from './improvementModel';

/** Props of {@link ImprovementDetailsDrawer}. */
export interface ImprovementDetailsDrawerProps {
  /** The improvement to show; the drawer is closed without one. */
  improvementId?: string;
  onClose: () => void;
  /** After an edit, a comment or a delete (then with `undefined`). */
  onChanged?: (improvement: ItsmImprovement | undefined) => void;
  /** Where a motivating record links to, when the app has a page for it. */
  recordLink?: (record: ItsmImprovementRecordLink) => string | undefined;
}

function Field(props: { label: string; children: React.ReactNode }) {
  return <DetailField labelWidth={140} {...props} />;
}

function Section(props: { title: string; children: React.ReactNode }) {
  return (
    <Box sx={{ mt: 2 }}>
      <Typography variant="subtitle2" gutterBottom>
        {props.title}
      </Typography>
      {props.children}
    </Box>
  );
}

function Records(props: {
  improvement: ItsmImprovement;
  recordLink?: ImprovementDetailsDrawerProps['recordLink'];
}) {
  const { records, hiddenRecordCount } = props.improvement;
  if (records.length === 0 && hiddenRecordCount === 0) {
    return (
      <Typography variant="body2" color="text.secondary">
        No record motivated this improvement. Link the incidents or problems
        behind it with Edit improvement (Motivating records).
      </Typography>
    );
  }
  return (
    <>
      <Stack direction="row" gap={1} flexWrap="wrap">
        {records.map(record => {
          const label = `${record.number ?? record.kind}: ${record.title}`;
          const to = props.recordLink?.(record);
          return to ? (
            <Chip
              key={record.id}
              size="small"
              label={label}
              component={Link}
              to={to}
              clickable
            />
          ) : (
            <Chip key={record.id} size="small" label={label} />
          );
        })}
      </Stack>
      {hiddenRecordCount > 0 && (
        <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
          {hiddenRecordCount === 1
            ? '1 record you may not see'
            : `${hiddenRecordCount} records you may not see`}
        </Typography>
      )}
    </>
  );
}

function ConfirmDelete(props: {
  improvement: ItsmImprovement;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const api = useApi(itsmApiRef);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string>();
  async function remove() {
    setDeleting(true);
    setError(undefined);
    try {
      await api.deleteImprovement(props.improvement.id);
      props.onDeleted();
    } catch (e) {
      setDeleting(false);
      setError(
        errorStatus(e) === 403
          ? 'You do not have permission to delete this improvement.'
          : `Could not delete: ${(e as Error).message}`,
      );
    }
  }
  return (
    <Dialog open onClose={props.onClose}>
      <DialogTitle>Delete improvement?</DialogTitle>
      <DialogContent>
        {error && (
          <Alert severity="error" sx={{ mb: 1 }}>
            {error}
          </Alert>
        )}
        <DialogContentText>
          "{props.improvement.title}" and its history will be deleted. Abandon
          it instead to keep the record of why it was dropped.
        </DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="error"
          variant="contained"
          disabled={deleting}
          onClick={remove}
        >
          Delete
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** The body of the drawer for one loaded improvement. */
export function ImprovementDetails(props: {
  improvement: ItsmImprovementDetails;
  onClose: () => void;
  onEdit: () => void;
  onDelete: () => void;
  onCommented: () => void;
  recordLink?: ImprovementDetailsDrawerProps['recordLink'];
}) {
  const { improvement } = props;
  return (
    <Box
      role="region"
      aria-label={`Improvement ${improvement.title}`}
      sx={{ p: 2, width: 560, maxWidth: '100vw' }}
    >
      <Stack direction="row" alignItems="flex-start" gap={1}>
        <Box sx={{ flex: 1 }}>
          <Typography variant="overline">Improvement</Typography>
          <Typography variant="h6">{improvement.title}</Typography>
          <Stack direction="row" gap={1} sx={{ mt: 0.5 }}>
            <Chip
              size="small"
              color={STATUS_COLOUR[improvement.status]}
              label={STATUS_LABEL[improvement.status]}
            />
            <Chip
              size="small"
              variant="outlined"
              color={PRIORITY_COLOUR[improvement.priority]}
              label={`${PRIORITY_LABEL[improvement.priority]} priority`}
            />
          </Stack>
        </Box>
        <IconButton aria-label="Edit improvement" onClick={props.onEdit}>
          <EditIcon />
        </IconButton>
        <IconButton aria-label="Delete improvement" onClick={props.onDelete}>
          <DeleteIcon />
        </IconButton>
        <IconButton aria-label="Close details" onClick={props.onClose}>
          <CloseIcon />
        </IconButton>
      </Stack>
      {improvement.description && (
        <Typography variant="body2" sx={{ mt: 1, whiteSpace: 'pre-wrap' }}>
          {improvement.description}
        </Typography>
      )}
      <Divider sx={{ my: 1.5 }} />
      <Table size="small">
        <TableBody>
          <Field label="Owner">
            <EntityRefLink entityRef={improvement.ownerRef} />
          </Field>
          <Field label="Entities">
            <EntityRefLinks entityRefs={improvement.entityRefs} />
          </Field>
          <Field label="Due">
            <Typography
              variant="body2"
              component="span"
              color={improvement.progress.overdue ? 'error' : undefined}
            >
              {formatDate(improvement.dueDate)}
              {improvement.progress.overdue ? ' (overdue)' : ''}
            </Typography>
          </Field>
          <Field label="Service desk">{improvement.department}</Field>
          <Field label="Created">
            {formatInstant(improvement.createdAt)} by{' '}
            <EntityRefLink entityRef={improvement.createdBy} hideIcon />
          </Field>
          <Field label="Updated">
            {formatInstant(improvement.updatedAt)} by{' '}
            <EntityRefLink entityRef={improvement.updatedBy} hideIcon />
          </Field>
          {improvement.completedAt && (
            <Field label="Completed">
              {formatInstant(improvement.completedAt)}
            </Field>
          )}
        </TableBody>
      </Table>
      <Section title="Progress">
        <ImprovementProgressPanel improvement={improvement} />
      </Section>
      <Section title="Motivating records">
        <Records improvement={improvement} recordLink={props.recordLink} />
      </Section>
      <Section title="History">
        <History improvement={improvement} />
        <CommentBox
          improvementId={improvement.id}
          onAdded={props.onCommented}
        />
      </Section>
    </Box>
  );
}

function DrawerContent(
  props: ImprovementDetailsDrawerProps & { improvementId: string },
) {
  const api = useApi(itsmApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getImprovement(props.improvementId),
    [api, props.improvementId],
  );
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);

  if (!value) {
    return (
      <Box sx={{ p: 2, width: 560, maxWidth: '100vw' }}>
        <Stack direction="row" justifyContent="flex-end">
          <IconButton aria-label="Close details" onClick={props.onClose}>
            <CloseIcon />
          </IconButton>
        </Stack>
        {loading && <Progress />}
        {error && (
          <ItsmErrorPanel error={error} title="Could not load improvement" />
        )}
      </Box>
    );
  }
  return (
    <>
      <ImprovementDetails
        improvement={value}
        onClose={props.onClose}
        onEdit={() => setEditing(true)}
        onDelete={() => setDeleting(true)}
        onCommented={() => {
          retry();
          props.onChanged?.(value);
        }}
        recordLink={props.recordLink}
      />
      <ImprovementDialog
        open={editing}
        improvement={value}
        onClose={() => setEditing(false)}
        onSaved={saved => {
          setEditing(false);
          retry();
          props.onChanged?.(saved);
        }}
      />
      {deleting && (
        <ConfirmDelete
          improvement={value}
          onClose={() => setDeleting(false)}
          onDeleted={() => {
            setDeleting(false);
            props.onChanged?.(undefined);
            props.onClose();
          }}
        />
      )}
    </>
  );
}

/** Everything about one improvement, in a drawer from the right. */
export function ImprovementDetailsDrawer(props: ImprovementDetailsDrawerProps) {
  return (
    <Drawer
      anchor="right"
      open={Boolean(props.improvementId)}
      onClose={props.onClose}
    >
      {props.improvementId && (
        <DrawerContent {...props} improvementId={props.improvementId} />
      )}
    </Drawer>
  );
}
