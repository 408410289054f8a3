import { useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { ApiProblem } from '../../api/problem.ts';
import { SelectField, TextArea, TextField } from '../../ui/field.tsx';
import { Markdown } from '../../ui/markdown.tsx';
import { ActionError } from '../../ui/states.tsx';
import { Tabs } from '../../ui/tabs.tsx';
import { AttachmentPicker } from './attachment-picker.tsx';
import { CATEGORIES, categoryLabel, PRIORITIES, priorityLabel } from './fields.ts';
import { TICKET_LIMITS, validateTicketForm } from './ticket-form.ts';
import type { TicketFormErrors, TicketFormValues } from './ticket-form.ts';

/**
 * The create form. It checks the server's limits before sending, and shows the server's own field
 * errors (`ApiProblem.errors`) on the fields when it refuses anyway.
 */
export function NewTicketForm({
  onSubmit,
  pending,
  error,
}: {
  onSubmit: (values: TicketFormValues, files: File[]) => void;
  pending: boolean;
  error: unknown;
}) {
  const [values, setValues] = useState<TicketFormValues>({
    subject: '',
    description: '',
    priority: 'medium',
    category: 'general',
  });
  const [files, setFiles] = useState<File[]>([]);
  const [errors, setErrors] = useState<TicketFormErrors>({});
  const [tab, setTab] = useState('write');
  const form = useRef<HTMLFormElement>(null);

  const serverErrors =
    error instanceof ApiProblem
      ? { subject: error.fieldError('subject'), description: error.fieldError('description') }
      : {};
  const shownError = (field: 'subject' | 'description') => errors[field] ?? serverErrors[field];
  const otherError = error && !(serverErrors.subject || serverErrors.description) ? error : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = validateTicketForm(values);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      if (found.description) setTab('write');
      // Focus the first field to fix, so keyboard and screen-reader users land on it.
      requestAnimationFrame(() => form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    onSubmit(values, files);
  };
  const set = <K extends keyof TicketFormValues>(key: K, value: TicketFormValues[K]) => {
    setValues((current) => ({ ...current, [key]: value }));
    // An error goes away once its field is fixed, not before.
    if (key === 'subject' || key === 'description') {
      setErrors((current) => {
        const field = key as 'subject' | 'description';
        if (!current[field]) return current;
        const next = validateTicketForm({ ...values, [key]: value });
        return { ...current, [field]: next[field] };
      });
    }
  };

  return (
    <form ref={form} className="card ticket-form" noValidate onSubmit={submit}>
      <TextField
        label="Subject"
        value={values.subject}
        maxLength={TICKET_LIMITS.subject.max}
        autoComplete="off"
        hint={`${TICKET_LIMITS.subject.min}–${TICKET_LIMITS.subject.max} characters: what is wrong, in a line`}
        error={shownError('subject')}
        onChange={(event) => set('subject', event.target.value)}
      />
      <div className="grid-2">
        <SelectField
          label="Priority"
          value={values.priority}
          onChange={(event) => set('priority', event.target.value as TicketFormValues['priority'])}
        >
          {PRIORITIES.map((priority) => (
            <option key={priority} value={priority}>
              {priorityLabel(priority)}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Category"
          value={values.category}
          onChange={(event) => set('category', event.target.value as TicketFormValues['category'])}
        >
          {CATEGORIES.map((category) => (
            <option key={category} value={category}>
              {categoryLabel(category)}
            </option>
          ))}
        </SelectField>
      </div>
      <Tabs.Root value={tab} onValueChange={setTab}>
        <Tabs.List className="tabs-list" aria-label="Write or preview">
          <Tabs.Trigger className="tabs-trigger" value="write">
            Write
          </Tabs.Trigger>
          <Tabs.Trigger className="tabs-trigger" value="preview">
            Preview
          </Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content value="write">
          <TextArea
            label="Description"
            value={values.description}
            rows={8}
            maxLength={TICKET_LIMITS.description.max}
            hint={`At least ${TICKET_LIMITS.description.min} characters. Markdown works: **bold**, lists, \`code\`, links.`}
            error={shownError('description')}
            onChange={(event) => set('description', event.target.value)}
          />
        </Tabs.Content>
        <Tabs.Content value="preview" className="markdown-preview">
          {values.description.trim() ? (
            <Markdown source={values.description} />
          ) : (
            <p className="muted">Nothing to preview yet.</p>
          )}
        </Tabs.Content>
      </Tabs.Root>
      <AttachmentPicker files={files} onChange={setFiles} />
      <ActionError error={otherError} />
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={pending}>
          {pending ? 'Creating…' : 'Create ticket'}
        </button>
      </div>
    </form>
  );
}
