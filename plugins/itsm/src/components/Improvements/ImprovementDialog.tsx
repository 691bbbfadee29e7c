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
  identityApiRef,
  useApi,
  useApiHolder,
} from '@backstage/core-plugin-api';
import {
  ITSM_IMPROVEMENT_PRIORITIES,
  ITSM_IMPROVEMENT_TRANSITIONS,
  ItsmImprovement,
  ItsmImprovementCreateRequest,
  ItsmImprovementStatus,
} from '@backstage-itsm/plugin-itsm-common';
import Alert from '@mui/material/Alert';
import Autocomplete from '@mui/material/Autocomplete';
import Box from '@mui/material/Box';
import Dialog from '@mui/material/Dialog';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Grid from '@mui/material/Grid';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import { FormEvent, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { itsmApiRef } from '../../api';
import { DialogFooter } from '../common';
import {
  changesOf,
  Errors,
  Field,
  FIELDS,
  FormState,
  initialState,
  ownerHint,
  validate,
} from './improvementForm';
import {
  FormBinding,
  ImprovementMetricFields,
} from './ImprovementMetricFields';
import {
  errorStatus,
  ownerChoices,
  PRIORITY_LABEL,
  serverFieldErrors,
  STATUS_LABEL,
  todayIso,
} from './improvementModel';

/** Props of {@link ImprovementDialog}. */
export interface ImprovementDialogProps {
  open: boolean;
  onClose: () => void;
  /** Called with the stored improvement after a successful create or edit. */
  onSaved: (improvement: ItsmImprovement) => void;
  /** Prefilled values of a new improvement (ignored when editing). */
  initial?: Partial<ItsmImprovementCreateRequest>;
  /** The improvement to edit; without it the dialog creates one. */
  improvement?: ItsmImprovement;
}

/** The signed-in user's groups and themself, or none when unknown. */
function useOwnerChoices(): string[] {
  const identityApi = useApiHolder().get(identityApiRef);
  const { value } = useAsync(async () => {
    if (!identityApi) return [];
    const identity = await identityApi.getBackstageIdentity();
    return ownerChoices(identity.ownershipEntityRefs);
  }, [identityApi]);
  return value ?? [];
}

function ImprovementForm(props: Omit<ImprovementDialogProps, 'open'>) {
  const api = useApi(itsmApiRef);
  const owners = useOwnerChoices();
  const { improvement } = props;
  const editing = Boolean(improvement);
  const [form, setForm] = useState<FormState>(() =>
    initialState(props.initial, improvement),
  );
  const [errors, setErrors] = useState<Errors>({});
  const [general, setGeneral] = useState<string>();
  const [saving, setSaving] = useState(false);

  const set: FormBinding = (key, field) => event => {
    setForm(f => ({
      ...f,
      [key]: event.target.value as FormState[typeof key],
    }));
    setErrors(({ [field]: _, ...rest }) => rest);
  };

  const statusChoices: ItsmImprovementStatus[] = improvement
    ? [improvement.status, ...ITSM_IMPROVEMENT_TRANSITIONS[improvement.status]]
    : [];

  async function submit(event: FormEvent) {
    event.preventDefault();
    setGeneral(undefined);
    const result = validate(
      form,
      editing,
      editing ? undefined : props.initial?.department,
    );
    if ('errors' in result) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    setSaving(true);
    try {
      let saved: ItsmImprovement;
      if (improvement) {
        const update = changesOf(result.body, form.status, improvement);
        saved =
          Object.keys(update).length === 0
            ? improvement
            : await api.updateImprovement(improvement.id, update);
      } else {
        saved = await api.createImprovement(result.body);
      }
      setSaving(false);
      props.onSaved(saved);
    } catch (error) {
      setSaving(false);
      const parsed = serverFieldErrors(error, FIELDS);
      if (errorStatus(error) === 403) {
        // An owner the user may not name is refused by field; anything else
        // is the permission to create or change at all.
        if (parsed.fields.ownerRef) {
          setErrors({ ownerRef: parsed.fields.ownerRef });
          return;
        }
        setGeneral(
          editing
            ? 'You do not have permission to change this improvement.'
            : 'You do not have permission to create improvements here.',
        );
        return;
      }
      setErrors(parsed.fields);
      setGeneral(parsed.general);
    }
  }

  const fieldProps = (field: Field) => ({
    error: Boolean(errors[field]),
    helperText: errors[field],
  });

  return (
    <Box component="form" noValidate onSubmit={submit}>
      <DialogTitle id="itsm-improvement-dialog-title">
        {editing ? 'Edit improvement' : 'New improvement'}
      </DialogTitle>
      <DialogContent dividers>
        {general && (
          <Alert severity="error" sx={{ mb: 2 }} role="alert">
            {general}
          </Alert>
        )}
        {errors.metric && (
          <Alert severity="error" sx={{ mb: 2 }}>
            Metric: {errors.metric}
          </Alert>
        )}
        <Grid container spacing={2}>
          <Grid item xs={12}>
            <TextField
              label="Title"
              required
              fullWidth
              value={form.title}
              onChange={set('title', 'title')}
              {...fieldProps('title')}
            />
          </Grid>
          <Grid item xs={12}>
            <TextField
              label="Description"
              fullWidth
              multiline
              minRows={2}
              value={form.description}
              onChange={set('description', 'description')}
              {...fieldProps('description')}
            />
          </Grid>
          <Grid item xs={12} sm={6}>
            <Autocomplete
              freeSolo
              options={owners}
              inputValue={form.ownerRef}
              onInputChange={(_, value) =>
                set('ownerRef', 'ownerRef')({ target: { value } })
              }
              renderInput={params => (
                <TextField
                  {...params}
                  label="Owner"
                  required
                  fullWidth
                  placeholder="group:default/team-a"
                  error={Boolean(errors.ownerRef)}
                  helperText={
                    errors.ownerRef ?? ownerHint(form.ownerRef, owners)
                  }
                />
              )}
            />
          </Grid>
          <Grid item xs={12} sm={6}>
            <TextField
              label="Entities"
              required
              fullWidth
              placeholder="component:default/payments-api"
              value={form.entityRefs}
              onChange={set('entityRefs', 'entityRefs')}
              error={Boolean(errors.entityRefs)}
              helperText={
                errors.entityRefs ??
                'Entity refs the improvement is about, comma-separated'
              }
            />
          </Grid>
          <Grid item xs={12} sm={4}>
            <TextField
              select
              label="Priority"
              fullWidth
              value={form.priority}
              onChange={set('priority', 'priority')}
              {...fieldProps('priority')}
            >
              {ITSM_IMPROVEMENT_PRIORITIES.map(p => (
                <MenuItem key={p} value={p}>
                  {PRIORITY_LABEL[p]}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
          <Grid item xs={12} sm={4}>
            <TextField
              label="Due date"
              type="date"
              fullWidth
              value={form.dueDate}
              onChange={set('dueDate', 'dueDate')}
              InputLabelProps={{ shrink: true }}
              inputProps={editing ? undefined : { min: todayIso() }}
              {...fieldProps('dueDate')}
            />
          </Grid>
          {editing && (
            <Grid item xs={12} sm={4}>
              <TextField
                select
                label="Status"
                fullWidth
                value={form.status}
                onChange={set('status', 'status')}
                error={Boolean(errors.status)}
                helperText={
                  errors.status ??
                  (statusChoices.length === 1
                    ? 'No further status change is allowed'
                    : undefined)
                }
              >
                {statusChoices.map(s => (
                  <MenuItem key={s} value={s}>
                    {STATUS_LABEL[s]}
                  </MenuItem>
                ))}
              </TextField>
            </Grid>
          )}
          <Grid item xs={12}>
            <TextField
              label="Motivating records"
              fullWidth
              value={form.recordIds}
              onChange={set('recordIds', 'recordIds')}
              error={Boolean(errors.recordIds)}
              helperText={
                errors.recordIds ??
                (improvement && improvement.hiddenRecordCount > 0
                  ? `Ids of the incidents or problems behind this improvement, comma-separated; ${improvement.hiddenRecordCount} you may not see are not listed`
                  : 'Ids of the incidents or problems behind this improvement, comma-separated')
              }
            />
          </Grid>
          <ImprovementMetricFields form={form} errors={errors} set={set} />
          {editing && (
            <Grid item xs={12}>
              <TextField
                label="Comment"
                fullWidth
                multiline
                minRows={2}
                value={form.comment}
                onChange={set('comment', 'comment')}
                error={Boolean(errors.comment)}
                helperText={
                  errors.comment ?? 'Why the change; kept in the history'
                }
              />
            </Grid>
          )}
        </Grid>
      </DialogContent>
      <DialogFooter
        onCancel={props.onClose}
        busy={saving}
        label={editing ? 'Save' : 'Create'}
      />
    </Box>
  );
}

/**
 * Creates an improvement, or edits one when `improvement` is given. Errors
 * name their field, both the checks made here and the backend's 400s.
 */
export function ImprovementDialog(props: ImprovementDialogProps) {
  const { open, ...rest } = props;
  return (
    <Dialog
      open={open}
      onClose={props.onClose}
      maxWidth="md"
      fullWidth
      aria-labelledby="itsm-improvement-dialog-title"
    >
      {open && <ImprovementForm {...rest} />}
    </Dialog>
  );
}
