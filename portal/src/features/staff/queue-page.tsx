import { PageHeader } from '../../ui/page.tsx';

export default function QueuePage() {
  return <PageHeader title="QueuePage" description="Not built yet." />;
}
