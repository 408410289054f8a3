import type { operations } from '../../api/client.ts';

/** The forecast as `GET /v1/cost/forecast` answers it. */
export type ForecastReport = operations['getCostForecast']['responses'][200]['content']['application/json'];
export type Anomaly = ForecastReport['anomalies'][number];
export type ServiceShare = ForecastReport['service_breakdown'][number];
export type CostImport = operations['getCostImport']['responses'][200]['content']['application/json'];
