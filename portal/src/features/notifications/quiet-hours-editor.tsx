import { useMemo, useState } from 'react';
import type { FormEvent } from 'react';
import { SelectField, TextField } from '../../ui/field.tsx';
import {
  browserTimeZone,
  describeQuietHours,
  draftFrom,
  quietHoursBody,
  quietHoursErrors,
  timeZoneChoices,
  WEEKDAYS,
} from './quiet-hours.ts';
import type { QuietHours, QuietHoursDraft } from './quiet-hours.ts';

/**
 * Quiet hours: on/off, from, to, time zone (the browser's by default) and the days a window
 * starts on. Checked like the server checks before `onSave` gets the `quiet_hours` body.
 */
export function QuietHoursEditor({
  saved,
  onSave,
  saving,
}: {
  saved: QuietHours | null;
  onSave: (quietHours: QuietHours | null) => void;
  saving: boolean;
}) {
  const [draft, setDraft] = useState<QuietHoursDraft>(() => draftFrom(saved, browserTimeZone()));
  const [submitted, setSubmitted] = useState(false);
  const zones = useMemo(() => timeZoneChoices(draft.timeZone), [draft.timeZone]);
  const errors = submitted ? quietHoursErrors(draft) : {};
  const update = (change: Partial<QuietHoursDraft>) => setDraft((current) => ({ ...current, ...change }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(quietHoursErrors(draft)).length > 0) return;
    onSave(quietHoursBody(draft));
  };

  return (
    <form className="stack quiet-hours" onSubmit={submit} noValidate>
      <p className="quiet-hours-summary" role="status">
        {describeQuietHours(saved)}
      </p>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={draft.enabled}
          onChange={(event) => update({ enabled: event.target.checked })}
        />
        <span>Hold emails during quiet hours (in-app notifications still arrive; critical ones are always sent)</span>
      </label>
      {draft.enabled && (
        <>
          <div className="quiet-hours-times">
            <TextField
              label="From"
              type="time"
              value={draft.start}
              error={errors.start}
              onChange={(event) => update({ start: event.target.value })}
            />
            <TextField
              label="To"
              type="time"
              value={draft.end}
              error={errors.end}
              hint="Earlier than “From”: the window ends the next morning."
              onChange={(event) => update({ end: event.target.value })}
            />
            <SelectField
              label="Time zone"
              value={draft.timeZone}
              error={errors.timeZone}
              onChange={(event) => update({ timeZone: event.target.value })}
            >
              {zones.map((zone) => (
                <option key={zone} value={zone}>
                  {zone}
                </option>
              ))}
            </SelectField>
          </div>
          <fieldset aria-describedby={errors.days ? 'quiet-days-error' : undefined}>
            <legend>Starting on</legend>
            <div className="quiet-hours-days">
              {WEEKDAYS.map((weekday) => (
                <label key={weekday.day} className="checkbox">
                  <input
                    type="checkbox"
                    aria-label={weekday.name}
                    checked={draft.days.includes(weekday.day)}
                    onChange={(event) =>
                      update({
                        days: event.target.checked
                          ? [...draft.days, weekday.day]
                          : draft.days.filter((day) => day !== weekday.day),
                      })
                    }
                  />
                  <span aria-hidden="true">{weekday.short}</span>
                </label>
              ))}
            </div>
            {errors.days && (
              <p className="field-error" id="quiet-days-error">
                {errors.days}
              </p>
            )}
          </fieldset>
        </>
      )}
      <div>
        <button type="submit" className="btn btn-primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save quiet hours'}
        </button>
      </div>
    </form>
  );
}
