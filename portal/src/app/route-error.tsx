import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { problemDetail } from '../api/problem.ts';

/** Shown when a page fails to load (its chunk, say, after a deploy) or throws while rendering. */
export function RouteError() {
  const error = useRouteError();
  const detail = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : problemDetail(error);
  return (
    <main className="page" id="main">
      <div className="state state-error" role="alert">
        <h1>This page could not be shown</h1>
        <p>{detail}</p>
        <p>
          <Link to="/">Go to the start page</Link> or reload.
        </p>
      </div>
    </main>
  );
}
