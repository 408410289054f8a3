import { PageHeader } from '../../ui/page.tsx';

export default function NotificationSettingsPage() {
  return <PageHeader title="NotificationSettingsPage" description="Not built yet." />;
}
