import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { api, data } from '../../api/client.ts';
import { ApiProblem } from '../../api/problem.ts';
import { Dialog } from '../../ui/dialog.tsx';
import { TextArea, TextField } from '../../ui/field.tsx';
import { ActionError, QueryView } from '../../ui/states.tsx';
import { useEventCatalog, webhookKeys } from './queries.ts';
import type { Endpoint } from './types.ts';
import { groupCatalog, prettyJson, toggleEvent, validateEndpointForm } from './webhook-logic.ts';
import type { EndpointForm, EndpointFormErrors, EventGroup } from './webhook-logic.ts';

/**
 * Create or edit an endpoint: URL, description and the events, ticked from the catalog with each
 * event's description and example body. `endpoint` given: edit it; otherwise create.
 */
export function EndpointDialog({
  open,
  onOpenChange,
  endpoint,
  onCreated,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  endpoint?: Endpoint;
  /** After a create: the new endpoint and its secret (shown once). */
  onCreated?: (created: { webhook: Endpoint; secret: string }) => void;
}) {
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      wide
      title={endpoint ? 'Edit endpoint' : 'Add endpoint'}
      description="Events are sent as signed JSON POST requests to this URL."
    >
      {/* Mounted only while open, so each opening starts from the endpoint's current values. */}
      <EndpointFormBody endpoint={endpoint} onDone={() => onOpenChange(false)} onCreated={onCreated} />
    </Dialog>
  );
}

function EndpointFormBody({
  endpoint,
  onDone,
  onCreated,
}: {
  endpoint: Endpoint | undefined;
  onDone: () => void;
  onCreated: ((created: { webhook: Endpoint; secret: string }) => void) | undefined;
}) {
  const queryClient = useQueryClient();
  const catalog = useEventCatalog();
  const [form, setForm] = useState<EndpointForm>({
    url: endpoint?.url ?? '',
    description: endpoint?.description ?? '',
    events: endpoint?.events ?? [],
  });
  const [errors, setErrors] = useState<EndpointFormErrors>({});

  const save = useMutation({
    mutationFn: async (values: EndpointForm) => {
      const body = { url: values.url.trim(), description: values.description.trim(), events: values.events };
      if (endpoint) {
        const updated = data(await api.PATCH('/v1/webhooks/{id}', { params: { path: { id: endpoint.id } }, body }));
        return { webhook: updated, secret: null };
      }
      return data(await api.POST('/v1/webhooks', { body }));
    },
    onSuccess: (result) => {
      void queryClient.invalidateQueries({ queryKey: webhookKeys.all });
      onDone();
      if (result.secret !== null) onCreated?.({ webhook: result.webhook, secret: result.secret });
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = validateEndpointForm(form);
    setErrors(found);
    if (Object.keys(found).length === 0) save.mutate(form);
  };

  const problem = save.error instanceof ApiProblem ? save.error : null;
  const urlError = errors.url ?? problem?.fieldError('url');
  const eventsError = errors.events ?? problem?.fieldError('events');

  return (
    <form className="stack" onSubmit={submit} noValidate>
      <TextField
        label="Endpoint URL"
        type="url"
        inputMode="url"
        autoComplete="off"
        placeholder="https://example.com/hooks/securebase"
        value={form.url}
        error={urlError}
        hint="An https URL reachable from the internet; private addresses are refused."
        onChange={(event) => setForm({ ...form, url: event.target.value })}
      />
      <TextArea
        label="Description (optional)"
        rows={2}
        value={form.description}
        error={errors.description}
        onChange={(event) => setForm({ ...form, description: event.target.value })}
      />
      <QueryView query={catalog} loadingHeight={120}>
        {(eventTypes) => (
          <EventPicker
            groups={groupCatalog(eventTypes)}
            selected={form.events}
            error={eventsError}
            onChange={(events) => setForm({ ...form, events })}
          />
        )}
      </QueryView>
      {!urlError && !eventsError && <ActionError error={save.error} />}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {endpoint ? 'Save changes' : save.isPending ? 'Adding…' : 'Add endpoint'}
        </button>
      </div>
    </form>
  );
}

function EventPicker({
  groups,
  selected,
  error,
  onChange,
}: {
  groups: EventGroup[];
  selected: string[];
  error: string | undefined;
  onChange: (events: string[]) => void;
}) {
  const errorId = useId();
  const all = selected.includes('*');
  return (
    <fieldset className="wh-events" aria-describedby={error ? errorId : undefined}>
      <legend>Events</legend>
      {error && (
        <p className="field-error" id={errorId} role="alert">
          {error}
        </p>
      )}
      <label className="checkbox">
        <input
          type="checkbox"
          checked={all}
          onChange={(event) => onChange(toggleEvent(selected, '*', event.target.checked))}
        />
        <span>
          <strong>All events</strong>
          <span className="muted wh-event-description">Every current and future event type.</span>
        </span>
      </label>
      {groups.map((group) => (
        <fieldset key={group.category} className="wh-event-group" disabled={all}>
          <legend>{group.label}</legend>
          {group.events.map((eventType) => (
            <div key={eventType.type} className="wh-event">
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={all || selected.includes(eventType.type)}
                  onChange={(event) => onChange(toggleEvent(selected, eventType.type, event.target.checked))}
                />
                <span>
                  <code>{eventType.type}</code>
                  <span className="muted wh-event-description">{eventType.description}</span>
                </span>
              </label>
              <details className="wh-example">
                <summary>Example payload</summary>
                <pre tabIndex={0}>{prettyJson(eventType.example)}</pre>
              </details>
            </div>
          ))}
        </fieldset>
      ))}
    </fieldset>
  );
}
