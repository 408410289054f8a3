import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api, data } from '../../api/client.ts';
import { ApiProblem } from '../../api/problem.ts';
import { useSession } from '../../app/session.tsx';
import { ConfirmDialog, Dialog } from '../../ui/dialog.tsx';
import { SelectField, TextField } from '../../ui/field.tsx';
import { formatMoney, formatPercent } from '../../ui/format.ts';
import { CursorPagination, useCursorPages } from '../../ui/pagination.tsx';
import { ActionError, EmptyState, QueryView } from '../../ui/states.tsx';
import { budgetBody, NEW_BUDGET, serverErrors, validateBudget, valuesOf } from './budget-form.ts';
import type { Basis, Budget, BudgetErrors, BudgetFormValues } from './budget-form.ts';

const BUDGETS_KEY = ['forecast', 'budgets'] as const;
const BASIS_LABELS: Record<Basis, string> = {
  both: 'Actual spend and month-end forecast',
  actual: 'Actual spend only',
  forecast: 'Month-end forecast only',
};

function statusBadge(budget: Budget): { className: string; text: string } {
  const { percent_used, forecast_percent } = budget.status;
  if (percent_used >= 100) return { className: 'badge badge-danger', text: 'Over budget' };
  if (forecast_percent > 100) return { className: 'badge badge-warning', text: 'Forecast over budget' };
  return { className: 'badge badge-success', text: 'On track' };
}

/** A bar with its meaning in text beside it; the bar itself is decoration. */
function Meter({ label, amount, percent, tone }: { label: string; amount: string; percent: number; tone: string }) {
  return (
    <div className="budget-meter">
      <div className="budget-meter-text">
        <span>{label}</span>
        <span>
          {amount} ({formatPercent(percent / 100, 0)})
        </span>
      </div>
      <div className="budget-meter-track" aria-hidden="true">
        <div className={`budget-meter-fill ${tone}`} style={{ width: `${Math.min(100, Math.max(0, percent))}%` }} />
      </div>
    </div>
  );
}

function BudgetCard({
  budget,
  canManage,
  onEdit,
  onDelete,
}: {
  budget: Budget;
  canManage: boolean;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const money = (value: number) => (budget.currency ? formatMoney(value, budget.currency) : value.toFixed(2));
  const badge = statusBadge(budget);
  const { status } = budget;
  return (
    <li className="card stack budget-card">
      <div className="budget-card-head">
        <h3>{budget.name}</h3>
        <span className={badge.className}>{badge.text}</span>
      </div>
      <p className="muted">
        {money(budget.monthly_limit)} a month · {budget.services ? budget.services.join(', ') : 'all services'} · alerts
        at {budget.thresholds.map((fraction) => formatPercent(fraction, 0)).join(', ') || 'no threshold'}
      </p>
      <Meter
        label={`Spent in ${status.month}`}
        amount={money(status.spent)}
        percent={status.percent_used}
        tone={status.percent_used >= 100 ? 'over' : 'ok'}
      />
      <Meter
        label="Forecast for the month"
        amount={money(status.forecast)}
        percent={status.forecast_percent}
        tone={status.forecast_percent > 100 ? 'warn' : 'forecast'}
      />
      {canManage && (
        <div className="row">
          <button type="button" className="btn btn-small" onClick={onEdit}>
            Edit<span className="visually-hidden"> {budget.name}</span>
          </button>
          <button type="button" className="btn btn-small btn-ghost" onClick={onDelete}>
            Delete<span className="visually-hidden"> {budget.name}</span>
          </button>
        </div>
      )}
    </li>
  );
}

function BudgetDialog({
  budget,
  services,
  onClose,
}: {
  budget: Budget | null;
  services: readonly string[];
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [values, setValues] = useState<BudgetFormValues>(budget ? valuesOf(budget) : NEW_BUDGET);
  const [errors, setErrors] = useState<BudgetErrors>({});
  const save = useMutation({
    mutationFn: async (form: BudgetFormValues) => {
      const body = budgetBody(form);
      if (!budget) return data(await api.POST('/v1/cost/budgets', { body }));
      return data(
        await api.PATCH('/v1/cost/budgets/{id}', {
          params: { path: { id: budget.id } },
          body: { ...body, services: form.services.length > 0 ? form.services : null },
        }),
      );
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: BUDGETS_KEY });
      onClose();
    },
    onError: (error) => {
      if (error instanceof ApiProblem) setErrors(serverErrors(error));
    },
  });
  const choices = [...new Set([...services, ...values.services])].sort((a, b) => a.localeCompare(b));
  // A field's error goes once the field is changed; the next submit judges it again.
  const update = (change: Partial<BudgetFormValues>, field: keyof BudgetErrors) => {
    setValues((current) => ({ ...current, ...change }));
    setErrors((current) => ({ ...current, [field]: undefined }));
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateBudget(values);
    setErrors(found);
    if (Object.keys(found).length === 0) save.mutate(values);
  }

  const unplaced =
    save.error instanceof ApiProblem && Object.keys(serverErrors(save.error)).length > 0 ? null : save.error;
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title={budget ? `Edit budget ${budget.name}` : 'New budget'}
      description="A monthly limit with alerts when spend, or the month-end forecast, reaches a share of it."
    >
      <form className="stack" onSubmit={submit} noValidate>
        <TextField
          label="Name"
          value={values.name}
          onChange={(event) => update({ name: event.target.value }, 'name')}
          error={errors.name}
          maxLength={200}
          required
        />
        <TextField
          label="Monthly limit"
          type="number"
          inputMode="decimal"
          min="0"
          step="any"
          value={values.monthlyLimit}
          onChange={(event) => update({ monthlyLimit: event.target.value }, 'monthly_limit')}
          error={errors.monthly_limit}
          required
        />
        <TextField
          label="Alert thresholds (%)"
          value={values.thresholds}
          onChange={(event) => update({ thresholds: event.target.value }, 'thresholds')}
          error={errors.thresholds}
          hint="Percentages of the limit, separated by commas, e.g. 50, 80, 100 (at most 10)."
        />
        <SelectField
          label="Alert on"
          value={values.basis}
          onChange={(event) => update({ basis: event.target.value as Basis }, 'basis')}
          error={errors.basis}
        >
          {Object.entries(BASIS_LABELS).map(([basis, label]) => (
            <option key={basis} value={basis}>
              {label}
            </option>
          ))}
        </SelectField>
        {choices.length > 0 && (
          <fieldset className="budget-services">
            <legend>Services covered (none checked: all services)</legend>
            {choices.map((service) => (
              <label key={service} className="checkbox">
                <input
                  type="checkbox"
                  checked={values.services.includes(service)}
                  onChange={(event) =>
                    update(
                      {
                        services: event.target.checked
                          ? [...values.services, service]
                          : values.services.filter((name) => name !== service),
                      },
                      'services',
                    )
                  }
                />
                <span>{service}</span>
              </label>
            ))}
            {errors.services && <p className="field-error">{errors.services}</p>}
          </fieldset>
        )}
        <ActionError error={unplaced} />
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            {budget ? 'Save budget' : 'Create budget'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** The tenant's budgets with where each stands this month; admins create, edit and delete them. */
export function Budgets({ services }: { services: readonly string[] }) {
  const { can } = useSession();
  const canManage = can('budgets:manage');
  const queryClient = useQueryClient();
  const pages = useCursorPages();
  const [editing, setEditing] = useState<Budget | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Budget | null>(null);
  const query = useQuery({
    queryKey: [...BUDGETS_KEY, pages.cursor],
    queryFn: async () =>
      data(await api.GET('/v1/cost/budgets', { params: { query: { limit: 20, cursor: pages.cursor } } })),
    placeholderData: keepPreviousData,
  });
  const remove = useMutation({
    mutationFn: async (budget: Budget) => api.DELETE('/v1/cost/budgets/{id}', { params: { path: { id: budget.id } } }),
    onSuccess: async () => {
      setDeleting(null);
      await queryClient.invalidateQueries({ queryKey: BUDGETS_KEY });
    },
    // The error is shown on the page once the dialog has closed.
    onError: () => setDeleting(null),
  });

  return (
    <div className="stack">
      <div className="section-head">
        <h2 id="budgets-title">Budgets</h2>
        {canManage && (
          <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
            New budget
          </button>
        )}
      </div>
      <QueryView query={query} loadingHeight={160}>
        {(page) =>
          page.budgets.length === 0 ? (
            <EmptyState title="No budgets yet">
              <p className="muted">
                {canManage
                  ? 'Create one to be alerted when spend or the month-end forecast nears a limit.'
                  : 'An admin can create budgets to be alerted when spend nears a limit.'}
              </p>
            </EmptyState>
          ) : (
            <>
              <ul className="budget-list" aria-labelledby="budgets-title">
                {page.budgets.map((budget) => (
                  <BudgetCard
                    key={budget.id}
                    budget={budget}
                    canManage={canManage}
                    onEdit={() => setEditing(budget)}
                    onDelete={() => {
                      remove.reset();
                      setDeleting(budget);
                    }}
                  />
                ))}
              </ul>
              {(pages.pageNumber > 1 || page.has_more) && (
                <CursorPagination pages={pages} nextCursor={page.next_cursor} label="Budgets" />
              )}
            </>
          )
        }
      </QueryView>
      {editing !== null && (
        <BudgetDialog
          budget={editing === 'new' ? null : editing}
          services={services}
          onClose={() => setEditing(null)}
        />
      )}
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={`Delete budget ${deleting?.name ?? ''}`}
        description="The budget and its alert history are deleted. This cannot be undone."
        confirmLabel="Delete budget"
        pending={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
      />
      <ActionError error={remove.error} />
    </div>
  );
}
