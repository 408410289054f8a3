import { PageHeader } from '../../ui/page.tsx';

export default function NotificationsPage() {
  return <PageHeader title="NotificationsPage" description="Not built yet." />;
}
