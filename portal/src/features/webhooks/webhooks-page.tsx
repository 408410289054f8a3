import { PageHeader } from '../../ui/page.tsx';

export default function WebhooksPage() {
  return <PageHeader title="WebhooksPage" description="Not built yet." />;
}
