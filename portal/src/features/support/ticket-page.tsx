import { PageHeader } from '../../ui/page.tsx';

export default function TicketPage() {
  return <PageHeader title="TicketPage" description="Not built yet." />;
}
