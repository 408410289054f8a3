import { PageHeader } from '../../ui/page.tsx';

export default function NewTicketPage() {
  return <PageHeader title="NewTicketPage" description="Not built yet." />;
}
