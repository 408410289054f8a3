import { keepPreviousData, useIsFetching, useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useMemo, useRef } from 'react';
import { useLocation, useSearchParams } from 'react-router';
import { api, data } from '../../api/client.ts';
import { ApiProblem } from '../../api/problem.ts';
import { useSession } from '../../app/session.tsx';
import { formatDate, formatMoney, formatPercent } from '../../ui/format.ts';
import { PageHeader } from '../../ui/page.tsx';
import { ErrorState, Loading } from '../../ui/states.tsx';
import { AnomalyList } from './anomaly-list.tsx';
import { Budgets } from './budgets.tsx';
import { CHART_HEIGHT, toChartData } from './chart-data.ts';
import { controlsFrom, exportUrl, intervalLabel, LEVELS, PERIODS, withControls } from './controls.ts';
import type { Controls, Level, Period } from './controls.ts';
import { ImportPanel } from './import-panel.tsx';
import { NoForecast } from './no-forecast.tsx';
import { formatMonth } from './months.ts';
import { ServiceCosts } from './service-costs.tsx';
import { formatChange, kpis, monthlyRows } from './tables.ts';
import type { ForecastReport } from './types.ts';
import './forecast.css';

// uPlot and its CSS load with the chart, after the page's first render.
const ForecastChart = lazy(() => import('./forecast-chart.tsx'));

// The chart's canvas plus the line under it; reserved while loading so nothing shifts.
const CHART_BLOCK_HEIGHT = CHART_HEIGHT + 32;
const TREND_LABELS: Record<ForecastReport['trend'], string> = {
  increasing: '↗ Increasing',
  decreasing: '↘ Decreasing',
  stable: '→ Stable',
};
const LEVEL_NAMES: Record<Level, string> = { low: 'Low', medium: 'Medium', high: 'High' };

function Segmented<T extends string | number>({
  legend,
  name,
  options,
  value,
  onChange,
}: {
  legend: string;
  name: string;
  options: ReadonlyArray<{ value: T; label: string }>;
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <fieldset className="segmented">
      <legend>{legend}</legend>
      <div className={options.length > 3 ? 'segmented-options segmented-four' : 'segmented-options'}>
        {options.map((option) => (
          <label key={option.value}>
            <input
              type="radio"
              name={name}
              value={option.value}
              checked={option.value === value}
              onChange={() => onChange(option.value)}
            />
            <span>{option.label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function ExportLinks({ controls }: { controls: Controls }) {
  return (
    <div className="row" role="group" aria-label="Export the forecast">
      {(['csv', 'json', 'pdf'] as const).map((format) => (
        <a key={format} className="btn btn-small" href={exportUrl(format, controls)} download>
          Export {format.toUpperCase()}
        </a>
      ))}
    </div>
  );
}

function Kpis({ report }: { report: ForecastReport }) {
  const cards = kpis(report);
  // Whole units: cents in a headline figure are noise, and the cards stay narrow on a phone.
  const money = (value: number) =>
    new Intl.NumberFormat(undefined, {
      style: 'currency',
      currency: report.currency,
      maximumFractionDigits: 0,
    }).format(value);
  const items: Array<{ label: string; value: string; note: string }> = [
    { label: 'Projected total', value: money(cards.projectedTotal), note: `next ${cards.months} months` },
    { label: 'Average monthly', value: money(cards.averageMonthly), note: 'over the forecast' },
    { label: 'Trend', value: TREND_LABELS[cards.trend], note: `model ${report.model}` },
    { label: 'Anomalies', value: String(cards.anomalies), note: 'last 90 days' },
    {
      label: 'Backtest accuracy',
      value: cards.accuracy === null ? '—' : formatPercent(cards.accuracy),
      note: cards.mape === null ? 'history too short to measure' : `MAPE ${cards.mape.toFixed(1)} %`,
    },
  ];
  return (
    <ul className="kpis forecast-kpis" aria-label="Forecast summary">
      {items.map((item) => (
        <li key={item.label} className="kpi">
          <div className="kpi-label">{item.label}</div>
          <div className="kpi-value">{item.value}</div>
          <div className="kpi-note muted">{item.note}</div>
        </li>
      ))}
    </ul>
  );
}

function ChartCard({ report }: { report: ForecastReport }) {
  const chart = useMemo(() => toChartData(report), [report]);
  return (
    <section className="card stack" aria-labelledby="forecast-chart-title">
      <div className="section-head">
        <h2 id="forecast-chart-title">Actual and forecast cost</h2>
        <ul className="chart-legend" aria-label="Legend">
          <li>
            <span className="swatch swatch-actual" aria-hidden="true" />
            Actual
          </li>
          <li>
            <span className="swatch swatch-forecast" aria-hidden="true" />
            Forecast
          </li>
          <li>
            <span className="swatch swatch-band" aria-hidden="true" />
            {chart.intervalLabel}
          </li>
        </ul>
      </div>
      <div className="forecast-chart" style={{ minHeight: CHART_BLOCK_HEIGHT }}>
        <Suspense fallback={<Loading label="Loading the chart…" minHeight={CHART_BLOCK_HEIGHT} />}>
          <ForecastChart chart={chart} />
        </Suspense>
      </div>
      <p className="muted forecast-meta">
        Data through {formatDate(`${report.as_of}T12:00:00Z`)} · {report.historical_months} months of history · amounts
        in {report.currency}
        {report.nowcast &&
          ` · this month so far ${formatMoney(report.nowcast.actual_to_date, report.currency)}, ` +
            `day ${report.nowcast.days_elapsed} of ${report.nowcast.days_in_month}`}
      </p>
    </section>
  );
}

function MonthlyTable({ report }: { report: ForecastReport }) {
  const rows = monthlyRows(report);
  const money = (value: number) => formatMoney(value, report.currency);
  return (
    <section className="stack" aria-labelledby="monthly-title">
      <h2 id="monthly-title">By month</h2>
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">
            Monthly cost: the last months of actual cost, then the forecast with its{' '}
            {intervalLabel(report.interval_level)}
          </caption>
          <thead>
            <tr>
              <th scope="col">Month</th>
              <th scope="col">Kind</th>
              <th scope="col" className="num">
                Cost
              </th>
              <th scope="col" className="num">
                {intervalLabel(report.interval_level)}
              </th>
              <th scope="col" className="num">
                Change
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.month} className={row.kind === 'forecast' ? 'row-forecast' : undefined}>
                <th scope="row">{formatMonth(row.month)}</th>
                <td>
                  {row.kind === 'actual' ? 'Actual' : row.month === report.nowcast?.month ? 'Nowcast' : 'Forecast'}
                </td>
                <td className="num">{money(row.amount)}</td>
                <td className="num nowrap">
                  {row.lower !== null && row.upper !== null ? `${money(row.lower)} – ${money(row.upper)}` : '—'}
                </td>
                <td className="num">{formatChange(row.change)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The forecast's place while it loads: the final layout's heights, so the page does not shift. */
function ReportSkeleton() {
  return (
    <>
      <ul className="kpis forecast-kpis" aria-hidden="true">
        {['Projected total', 'Average monthly', 'Trend', 'Anomalies', 'Backtest accuracy'].map((label) => (
          <li key={label} className="kpi">
            <div className="kpi-label">{label}</div>
            <div className="kpi-value skeleton-text">&nbsp;</div>
            <div className="kpi-note">&nbsp;</div>
          </li>
        ))}
      </ul>
      <section className="card stack">
        <h2>Actual and forecast cost</h2>
        <Loading label="Loading the forecast…" minHeight={CHART_BLOCK_HEIGHT} />
        <p className="forecast-meta">&nbsp;</p>
      </section>
      <section className="card stack skeleton-services" aria-hidden="true">
        <h2>Cost by service</h2>
      </section>
    </>
  );
}

export default function ForecastPage() {
  const [params, setParams] = useSearchParams();
  const controls = controlsFrom(params);
  const { can } = useSession();
  const canImport = can('cost:write');
  const { hash } = useLocation();

  const report = useQuery({
    queryKey: ['forecast', 'report', controls.months, controls.level],
    queryFn: async () =>
      data(
        await api.GET('/v1/cost/forecast', {
          params: { query: { months: controls.months, confidence_level: controls.level } },
        }),
      ),
    placeholderData: keepPreviousData,
    // A 4xx (e.g. the 422 of a short history) will answer the same again.
    retry: (failures, error) => !(error instanceof ApiProblem && error.status < 500) && failures < 2,
  });

  // Links to /forecast#anomalies (notifications) land on their section once the page's content has
  // arrived, so nothing above it moves it after the scroll; once per hash.
  // (Before the first fetch starts nothing is fetching yet, hence the wait for the report too.)
  const fetching = useIsFetching({ queryKey: ['forecast'] });
  const settled = !report.isPending && fetching === 0;
  const scrolledTo = useRef<string | null>(null);
  useEffect(() => {
    if (!hash || !settled || scrolledTo.current === hash) return;
    const target = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!target) return;
    scrolledTo.current = hash;
    target.scrollIntoView();
    // Focus follows only if the person has not moved it meanwhile (opened a menu, say).
    const focused = document.activeElement;
    if (!focused || focused === document.body || focused.id === 'main') target.focus({ preventScroll: true });
  }, [hash, settled]);

  const setControls = (change: Partial<Controls>) =>
    setParams((current) => withControls(current, { ...controlsFrom(current), ...change }), {
      replace: true,
      preventScrollReset: true,
    });

  const forecast = report.data;
  return (
    <div className="stack forecast-page">
      <PageHeader
        title="Cost Forecast"
        description="Your monthly cloud cost, where it is heading, and the budgets that watch it."
        // Without a forecast (a 422, an error) an export would only download the same problem.
        actions={report.isError ? undefined : <ExportLinks controls={controls} />}
      />
      <div className="toolbar forecast-controls">
        <Segmented<Period>
          legend="Period"
          name="forecast-period"
          options={PERIODS.map((months) => ({ value: months, label: `${months} months` }))}
          value={controls.months}
          onChange={(months) => setControls({ months })}
        />
        <Segmented<Level>
          legend="Confidence level"
          name="forecast-level"
          options={(Object.keys(LEVELS) as Level[]).map((level) => ({
            value: level,
            label: `${LEVEL_NAMES[level]} ${LEVELS[level]} %`,
          }))}
          value={controls.level}
          onChange={(level) => setControls({ level })}
        />
        <span className="muted forecast-updating" role="status">
          {report.isFetching && !report.isPending ? 'Updating…' : ''}
        </span>
      </div>

      {report.isPending && <ReportSkeleton />}
      {report.isError && report.error instanceof ApiProblem && report.error.status === 422 && (
        <NoForecast problem={report.error} canImport={canImport} />
      )}
      {report.isError && !(report.error instanceof ApiProblem && report.error.status === 422) && (
        <ErrorState error={report.error} onRetry={() => void report.refetch()} />
      )}
      {forecast && !report.isError && (
        <>
          <Kpis report={forecast} />
          <ChartCard report={forecast} />
          <section className="card stack" aria-labelledby="services-title">
            <h2 id="services-title">Cost by service</h2>
            <ServiceCosts
              services={forecast.service_breakdown}
              currency={forecast.currency}
              months={forecast.forecast.length}
            />
          </section>
          <MonthlyTable report={forecast} />
        </>
      )}

      <section id="anomalies" className="stack anchored" aria-labelledby="anomalies-title" tabIndex={-1}>
        <h2 id="anomalies-title">Anomalies</h2>
        <AnomalyList currency={forecast?.currency} />
      </section>

      <section id="budgets" className="anchored" aria-labelledby="budgets-title" tabIndex={-1}>
        <Budgets services={forecast?.service_breakdown.map((row) => row.service) ?? []} />
      </section>

      {canImport && (
        <section id="import" className="card anchored" aria-labelledby="import-title">
          <ImportPanel />
        </section>
      )}
    </div>
  );
}
