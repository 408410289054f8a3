import type { Static } from 'typebox';
import type { SatisfactionRating, SupportAgent } from '../desk-repository.ts';
import type { AgentView, SatisfactionView } from './schemas.ts';

/** A CSAT rating as staff and the rating tenant see it (and as `ticket.satisfaction_rated` carries it). */
export function presentSatisfaction(row: SatisfactionRating): Static<typeof SatisfactionView> {
  return {
    id: row.id,
    ticket_id: row.ticket_id,
    rating: row.rating,
    comment: row.comment,
    resolved_at: row.resolved_at,
    agent_id: row.agent_id,
    rated_by: row.rated_by,
    created_at: row.created_at,
  };
}

/** A staff user's desk settings. */
export function presentAgent(agent: SupportAgent): Static<typeof AgentView> {
  return { ...agent };
}
