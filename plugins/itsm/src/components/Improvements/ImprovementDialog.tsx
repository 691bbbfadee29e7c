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
  ItsmImprovementPriority,
  ItsmImprovementStatus,
  ItsmImprovementUpdateRequest,
} from '@backstage-itsm/plugin-itsm-common';
import Alert from '@mui/material/Alert';
import Autocomplete from '@mui/material/Autocomplete';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Grid from '@mui/material/Grid';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { FormEvent, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { itsmApiRef } from '../../api';
import {
  errorStatus,
  metricDefinition,
  normaliseRef,
  ownerChoices,
  parseTarget,
  PRIORITY_LABEL,
  serverFieldErrors,
  splitList,
  STATUS_LABEL,
  TARGETABLE_METRIC_IDS,
  targetHint,
  targetInput,
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

const FIELDS = [
  'title',
  'description',
  'ownerRef',
  'entityRefs',
  'priority',
  'dueDate',
  'recordIds',
  'status',
  'comment',
  'metric',
  'metric.metricId',
  'metric.entityRef',
  'metric.target',
  'metric.windowDays',
  'metric.sustainWeeks',
] as const;

type Field = (typeof FIELDS)[number];
type Errors = Partial<Record<Field, string>>;

interface FormState {
  title: string;
  description: string;
  ownerRef: string;
  entityRefs: string;
  priority: ItsmImprovementPriority;
  dueDate: string;
  recordIds: string;
  status: ItsmImprovementStatus | '';
  comment: string;
  metricId: string;
  metricEntityRef: string;
  target: string;
  windowDays: string;
  sustainWeeks: string;
}

function initialState(
  initial: Partial<ItsmImprovementCreateRequest> | undefined,
  improvement: ItsmImprovement | undefined,
): FormState {
  const source = improvement ?? initial ?? {};
  const metric = source.metric ?? undefined;
  const unit = metric ? metricDefinition(metric.metricId).unit : 'count';
  return {
    title: source.title ?? '',
    description: source.description ?? '',
    ownerRef: source.ownerRef ?? '',
    entityRefs: (source.entityRefs ?? []).join(', '),
    priority: source.priority ?? 'medium',
    dueDate: source.dueDate ?? '',
    recordIds: improvement
      ? improvement.records.map(r => r.id).join(', ')
      : (initial?.recordIds ?? []).join(', '),
    status: improvement?.status ?? '',
    comment: '',
    metricId: metric?.metricId ?? '',
    metricEntityRef: metric?.entityRef ?? '',
    target: metric ? targetInput(metric.target, unit) : '',
    windowDays: String(metric?.windowDays ?? 30),
    sustainWeeks: String(metric?.sustainWeeks ?? 4),
  };
}

type Body = ItsmImprovementCreateRequest;

/** What the owner field says under it: whom the user may name. */
function ownerHint(value: string, owners: string[]): string {
  const ref = value.trim() ? normaliseRef(value, 'group') : undefined;
  if (owners.length > 0 && ref && !owners.includes(ref)) {
    return 'Not one of your groups: only ITSM administrators may name it';
  }
  return owners.length > 0
    ? 'One of your groups, or yourself'
    : 'A group or user entity ref';
}

/** Checks the form; returns the request body or the errors per field. */
function validate(
  form: FormState,
  editing: boolean,
): { body: Body } | { errors: Errors } {
  const errors: Errors = {};
  const title = form.title.trim();
  if (!title) errors.title = 'Title is required';

  const ownerRef = form.ownerRef.trim()
    ? normaliseRef(form.ownerRef, 'group')
    : undefined;
  if (!form.ownerRef.trim()) errors.ownerRef = 'Owner is required';
  else if (!ownerRef)
    errors.ownerRef = 'Owner must be an entity ref such as group:default/team';

  const entityRefs: string[] = [];
  for (const ref of splitList(form.entityRefs)) {
    const full = normaliseRef(ref, 'component');
    if (!full) {
      errors.entityRefs = `"${ref}" is not an entity ref`;
    } else if (!entityRefs.includes(full)) {
      entityRefs.push(full);
    }
  }
  if (entityRefs.length === 0 && !errors.entityRefs) {
    errors.entityRefs = 'At least one entity is required';
  }

  if (form.dueDate) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(form.dueDate)) {
      errors.dueDate = 'Due date must be a date';
    } else if (!editing && form.dueDate < todayIso()) {
      errors.dueDate = 'Due date must be today or later';
    }
  }

  let metric: Body['metric'] = null;
  if (form.metricId) {
    const unit = metricDefinition(form.metricId).unit;
    const target = parseTarget(form.target, unit);
    if ('error' in target) errors['metric.target'] = `Target: ${target.error}`;
    const windowDays = Number(form.windowDays);
    if (!Number.isInteger(windowDays) || windowDays < 1 || windowDays > 365) {
      errors['metric.windowDays'] = 'Window must be 1 to 365 days';
    }
    const sustainWeeks = Number(form.sustainWeeks);
    if (
      !Number.isInteger(sustainWeeks) ||
      sustainWeeks < 1 ||
      sustainWeeks > 52
    ) {
      errors['metric.sustainWeeks'] = 'Sustain must be 1 to 52 weeks';
    }
    let metricEntityRef: string | undefined;
    if (form.metricEntityRef.trim()) {
      metricEntityRef = normaliseRef(form.metricEntityRef, 'component');
      if (!metricEntityRef)
        errors['metric.entityRef'] = 'Measured on must be an entity ref';
    }
    if ('value' in target) {
      metric = {
        metricId: form.metricId,
        entityRef: metricEntityRef ?? entityRefs[0],
        target: target.value,
        windowDays,
        sustainWeeks,
      };
    }
  }

  if (Object.keys(errors).length > 0) return { errors };
  return {
    body: {
      title,
      description: form.description.trim(),
      ownerRef: ownerRef!,
      entityRefs,
      priority: form.priority,
      dueDate: form.dueDate || null,
      recordIds: splitList(form.recordIds),
      metric,
      ...(form.comment.trim() && { comment: form.comment.trim() }),
    },
  };
}

function sameList(a: string[], b: string[]) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The fields of an edit that differ from the stored improvement. */
function changesOf(
  body: Body,
  status: ItsmImprovementStatus | '',
  improvement: ItsmImprovement,
): ItsmImprovementUpdateRequest {
  const update: ItsmImprovementUpdateRequest = {};
  if (body.title !== improvement.title) update.title = body.title;
  if (body.description !== improvement.description)
    update.description = body.description;
  if (body.ownerRef !== improvement.ownerRef) update.ownerRef = body.ownerRef;
  if (!sameList(body.entityRefs, improvement.entityRefs))
    update.entityRefs = body.entityRefs;
  if (body.priority !== improvement.priority) update.priority = body.priority;
  if ((body.dueDate ?? null) !== improvement.dueDate)
    update.dueDate = body.dueDate ?? null;
  // Only sent when the user changed the list: the form holds the records
  // the user may see, and a sent list replaces the stored one.
  const recordIds = body.recordIds ?? [];
  if (
    !sameList(
      recordIds,
      improvement.records.map(r => r.id),
    )
  ) {
    update.recordIds = recordIds;
  }
  if (status && status !== improvement.status) update.status = status;
  const before = improvement.metric;
  const after = body.metric ?? null;
  const metricChanged =
    (before === null) !== (after === null) ||
    (before !== null &&
      after !== null &&
      (before.metricId !== after.metricId ||
        before.entityRef !== after.entityRef ||
        before.target !== after.target ||
        before.windowDays !== after.windowDays ||
        before.sustainWeeks !== after.sustainWeeks));
  if (metricChanged) update.metric = after;
  if (body.comment) update.comment = body.comment;
  return update;
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

  const set =
    <K extends keyof FormState>(key: K, field?: Field) =>
    (event: { target: { value: string } }) => {
      setForm(f => ({ ...f, [key]: event.target.value as FormState[K] }));
      if (field) setErrors(({ [field]: _, ...rest }) => rest);
    };

  const unit = form.metricId ? metricDefinition(form.metricId).unit : 'count';
  const entityChoices = splitList(form.entityRefs)
    .map(r => normaliseRef(r, 'component'))
    .filter((r): r is string => Boolean(r));
  const statusChoices: ItsmImprovementStatus[] = improvement
    ? [improvement.status, ...ITSM_IMPROVEMENT_TRANSITIONS[improvement.status]]
    : [];
  const metricChoices =
    form.metricId && !TARGETABLE_METRIC_IDS.includes(form.metricId)
      ? [...TARGETABLE_METRIC_IDS, form.metricId]
      : TARGETABLE_METRIC_IDS;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setGeneral(undefined);
    const result = validate(form, editing);
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
        saved = await api.createImprovement({
          ...result.body,
          ...(props.initial?.department && {
            department: props.initial.department,
          }),
        });
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
          <Grid item xs={12}>
            <Typography variant="subtitle2">Bound metric (optional)</Typography>
            <Typography variant="caption" color="text.secondary">
              The metric the improvement promises to move. Its baseline is
              captured when the improvement is approved.
            </Typography>
          </Grid>
          <Grid item xs={12} sm={6}>
            <TextField
              select
              label="Metric"
              fullWidth
              value={form.metricId}
              onChange={set('metricId', 'metric.metricId')}
              {...fieldProps('metric.metricId')}
            >
              <MenuItem value="">
                <em>None</em>
              </MenuItem>
              {metricChoices.map(id => (
                <MenuItem key={id} value={id}>
                  {metricDefinition(id).title}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
          {form.metricId && (
            <>
              <Grid item xs={12} sm={6}>
                <TextField
                  select={entityChoices.length > 0}
                  label="Measured on"
                  fullWidth
                  value={form.metricEntityRef || entityChoices[0] || ''}
                  onChange={set('metricEntityRef', 'metric.entityRef')}
                  error={Boolean(errors['metric.entityRef'])}
                  helperText={
                    errors['metric.entityRef'] ??
                    'The entity the metric is measured on'
                  }
                >
                  {[
                    ...new Set([
                      ...entityChoices,
                      ...(form.metricEntityRef ? [form.metricEntityRef] : []),
                    ]),
                  ].map(ref => (
                    <MenuItem key={ref} value={ref}>
                      {ref}
                    </MenuItem>
                  ))}
                </TextField>
              </Grid>
              <Grid item xs={12} sm={4}>
                <TextField
                  label="Target"
                  required
                  fullWidth
                  value={form.target}
                  onChange={set('target', 'metric.target')}
                  error={Boolean(errors['metric.target'])}
                  helperText={errors['metric.target'] ?? targetHint(unit)}
                />
              </Grid>
              <Grid item xs={6} sm={4}>
                <TextField
                  label="Window (days)"
                  type="number"
                  fullWidth
                  value={form.windowDays}
                  onChange={set('windowDays', 'metric.windowDays')}
                  inputProps={{ min: 1, max: 365 }}
                  error={Boolean(errors['metric.windowDays'])}
                  helperText={
                    errors['metric.windowDays'] ?? 'History each value covers'
                  }
                />
              </Grid>
              <Grid item xs={6} sm={4}>
                <TextField
                  label="Sustain (weeks)"
                  type="number"
                  fullWidth
                  value={form.sustainWeeks}
                  onChange={set('sustainWeeks', 'metric.sustainWeeks')}
                  inputProps={{ min: 1, max: 52 }}
                  error={Boolean(errors['metric.sustainWeeks'])}
                  helperText={
                    errors['metric.sustainWeeks'] ??
                    'Weeks in a row the target must hold'
                  }
                />
              </Grid>
            </>
          )}
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
      <DialogActions>
        <Button onClick={props.onClose} disabled={saving}>
          Cancel
        </Button>
        <Button
          type="submit"
          variant="contained"
          disabled={saving}
          startIcon={saving ? <CircularProgress size={16} /> : undefined}
        >
          {editing ? 'Save' : 'Create'}
        </Button>
      </DialogActions>
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
