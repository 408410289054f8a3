export interface EventsTable {
  /** `evt_…`, stable: webhook receivers use it as their idempotency key. */
  id: string;
  customer_id: string | null;
  type: string;
  /** The seed's SNS topic this event belongs to: support-events, webhook-events, cost-alerts, notifications. */
  category: string;
  /** JSON of the event's data. */
  data: string;
  created_at: string;
}

export interface EventTables {
  events: EventsTable;
}
