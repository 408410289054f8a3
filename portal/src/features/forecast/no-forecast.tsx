import type { ApiProblem } from '../../api/problem.ts';

/** A 422: the history cannot carry a forecast yet. The server's detail says what is missing. */
export function NoForecast({ problem, canImport }: { problem: ApiProblem; canImport: boolean }) {
  const fullMonths = problem.body.full_months;
  const noData = Array.isArray(fullMonths) && fullMonths.length === 0;
  return (
    <section className="card state state-empty no-forecast" aria-labelledby="no-forecast-title">
      <h2 id="no-forecast-title" className="state-title">
        {noData ? 'No cost data yet' : 'Not enough cost history for a forecast'}
      </h2>
      <p>{problem.detail}</p>
      <p className="muted">
        {canImport ? (
          <>
            <a href="#import">Import a billing file</a> (AWS CUR or FOCUS export) below, or send daily costs to the API
            (<code>POST /v1/cost/records</code>).
          </>
        ) : (
          'A member of your team can import a billing file (AWS CUR or FOCUS export) to start the forecast.'
        )}
      </p>
    </section>
  );
}
