import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ChangeEvent } from 'react';
import { useSession } from '../../app/session.tsx';
import { SelectField } from '../../ui/field.tsx';
import { ActionError } from '../../ui/states.tsx';
import { changeTicket, fetchAgents, supportKeys } from './support-api.ts';

/** Staff's agents by id, for names in threads, histories and the assign control. */
export function useAgents(enabled: boolean) {
  const agents = useQuery({
    queryKey: supportKeys.agents(),
    queryFn: fetchAgents,
    enabled,
    staleTime: 5 * 60_000,
  });
  const names = new Map((agents.data ?? []).map((agent) => [agent.user_id, agent.name]));
  return { agents, names };
}

/** Assigns a ticket: to nobody, to me, or to any agent of `/v1/support/agents`. */
export function AssignControl({
  ticket,
  compact = false,
}: {
  ticket: { id: string; reference: string; assignee_id: string | null };
  /** In a table row: no visible label (the select is named after the ticket). */
  compact?: boolean;
}) {
  const { me } = useSession();
  const queryClient = useQueryClient();
  const { agents } = useAgents(true);
  const assign = useMutation({
    mutationFn: (assigneeId: string | null) => changeTicket(ticket.id, { assignee_id: assigneeId }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: supportKeys.all }),
  });
  const others = (agents.data ?? []).filter((agent) => agent.user_id !== me.user_id);
  const options = (
    <>
      <option value="">Unassigned</option>
      {me.user_id && <option value={me.user_id}>Me ({me.name ?? me.email})</option>}
      {others.map((agent) => (
        <option key={agent.user_id} value={agent.user_id}>
          {agent.name}
        </option>
      ))}
      {/* An assignee no longer among the active agents still shows as assigned. */}
      {ticket.assignee_id &&
        ticket.assignee_id !== me.user_id &&
        !others.some((agent) => agent.user_id === ticket.assignee_id) && (
          <option value={ticket.assignee_id}>Former agent</option>
        )}
    </>
  );
  const select = {
    value: ticket.assignee_id ?? '',
    disabled: assign.isPending || agents.isPending,
    onChange: (event: ChangeEvent<HTMLSelectElement>) =>
      assign.mutate(event.target.value === '' ? null : event.target.value),
  };
  return (
    <div className="assign-control">
      {compact ? (
        <select className="input" aria-label={`Assignee of ${ticket.reference}`} {...select}>
          {options}
        </select>
      ) : (
        <SelectField label="Assignee" {...select}>
          {options}
        </SelectField>
      )}
      <ActionError error={assign.error ?? agents.error} />
    </div>
  );
}
