// The metric names are declared once, beside the worker that publishes them; the stack scales and
// alarms on the same constants.
export { APP_METRICS } from '../../src/server/app-metrics.ts';
