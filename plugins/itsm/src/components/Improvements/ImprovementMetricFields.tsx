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

import Grid from '@mui/material/Grid';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type { Errors, Field, FormState } from './improvementForm';
import {
  metricDefinition,
  normaliseRef,
  splitList,
  TARGETABLE_METRIC_IDS,
  targetHint,
} from './improvementModel';

/** Binds a form value to its input; typing clears the field's error. */
export type FormBinding = <K extends keyof FormState>(
  key: K,
  field: Field,
) => (event: { target: { value: string } }) => void;

interface MetricFieldsProps {
  form: FormState;
  errors: Errors;
  set: FormBinding;
}

/** A whole number of days or weeks with its range. */
function CountField(
  props: MetricFieldsProps & {
    label: string;
    name: 'windowDays' | 'sustainWeeks';
    max: number;
    hint: string;
  },
) {
  const field = `metric.${props.name}` as const;
  return (
    <Grid item xs={6} sm={4}>
      <TextField
        label={props.label}
        type="number"
        fullWidth
        value={props.form[props.name]}
        onChange={props.set(props.name, field)}
        inputProps={{ min: 1, max: props.max }}
        error={Boolean(props.errors[field])}
        helperText={props.errors[field] ?? props.hint}
      />
    </Grid>
  );
}

/** The optional metric an improvement promises to move, and its target. */
export function ImprovementMetricFields(props: MetricFieldsProps) {
  const { form, errors, set } = props;
  const unit = form.metricId ? metricDefinition(form.metricId).unit : 'count';
  const entityChoices = splitList(form.entityRefs)
    .map(r => normaliseRef(r, 'component'))
    .filter((r): r is string => Boolean(r));
  const metricChoices =
    form.metricId && !TARGETABLE_METRIC_IDS.includes(form.metricId)
      ? [...TARGETABLE_METRIC_IDS, form.metricId]
      : TARGETABLE_METRIC_IDS;

  return (
    <>
      <Grid item xs={12}>
        <Typography variant="subtitle2">Bound metric (optional)</Typography>
        <Typography variant="caption" color="text.secondary">
          The metric the improvement promises to move. Its baseline is captured
          when the improvement is approved.
        </Typography>
      </Grid>
      <Grid item xs={12} sm={6}>
        <TextField
          select
          label="Metric"
          fullWidth
          value={form.metricId}
          onChange={set('metricId', 'metric.metricId')}
          error={Boolean(errors['metric.metricId'])}
          helperText={errors['metric.metricId']}
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
          <CountField
            {...props}
            label="Window (days)"
            name="windowDays"
            max={365}
            hint="History each value covers"
          />
          <CountField
            {...props}
            label="Sustain (weeks)"
            name="sustainWeeks"
            max={52}
            hint="Weeks in a row the target must hold"
          />
        </>
      )}
    </>
  );
}
