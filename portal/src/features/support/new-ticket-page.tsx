import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { api, data } from '../../api/client.ts';
import { problemDetail } from '../../api/problem.ts';
import { useSession } from '../../app/session.tsx';
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState } from '../../ui/states.tsx';
import { NewTicketForm } from './new-ticket-form.tsx';
import { supportKeys, uploadAll } from './support-api.ts';
import type { TicketFormValues } from './ticket-form.ts';
import { ticketPath } from './fields.ts';
import type { UploadNotice } from './attachments.ts';
import './support.css';

/** `/support/new`: open a ticket, upload its files, then go to it. */
export default function NewTicketPage() {
  const { can, isStaff } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: async ({ values, files }: { values: TicketFormValues; files: File[] }) => {
      const ticket = data(
        await api.POST('/v1/support/tickets', {
          body: {
            subject: values.subject.trim(),
            description: values.description,
            priority: values.priority,
            category: values.category,
          },
        }),
      );
      // Files go up after the ticket exists; a refused file does not undo the ticket.
      const failures = await uploadAll(ticket.id, files);
      return { ticket, failures };
    },
    onSuccess: async ({ ticket, failures }) => {
      await queryClient.invalidateQueries({ queryKey: supportKeys.lists() });
      const notice: UploadNotice = {
        failed: failures.map(({ file, error }) => ({
          name: file.name,
          reason: problemDetail(error),
        })),
      };
      await navigate(ticketPath(ticket, isStaff), { state: notice });
    },
  });

  if (!can('tickets:write') || isStaff) {
    return (
      <>
        <PageHeader title="New ticket" />
        <EmptyState title={isStaff ? 'Staff answer tickets from the queue' : 'Your role cannot open tickets'}>
          <Link to={isStaff ? '/staff/queue' : '/support'}>{isStaff ? 'Go to the queue' : 'Back to tickets'}</Link>
        </EmptyState>
      </>
    );
  }
  return (
    <>
      <PageHeader title="New ticket" description="Tell us what is wrong; we answer within your SLA." />
      <NewTicketForm
        pending={create.isPending}
        error={create.error}
        onSubmit={(values, files) => create.mutate({ values, files })}
      />
    </>
  );
}
