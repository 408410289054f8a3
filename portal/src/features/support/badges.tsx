import { badgeClass, slaBadge } from './sla-badge.ts';
import type { SlaFields } from './sla-badge.ts';
import { priorityBadgeClass, priorityLabel, statusBadgeClass, statusLabel } from './fields.ts';
import type { TicketPriority, TicketStatus } from './fields.ts';

export function StatusBadge({ status }: { status: TicketStatus }) {
  return <span className={statusBadgeClass(status)}>{statusLabel(status)}</span>;
}

export function PriorityBadge({ priority }: { priority: TicketPriority }) {
  return (
    <span className={priorityBadgeClass(priority)}>
      <span className="visually-hidden">Priority: </span>
      {priorityLabel(priority)}
    </span>
  );
}

export function SlaBadge({ ticket, now }: { ticket: SlaFields; now: number }) {
  const badge = slaBadge(ticket, now);
  return <span className={badgeClass(badge.tone)}>{badge.label}</span>;
}
