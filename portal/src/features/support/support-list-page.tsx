import { PageHeader } from '../../ui/page.tsx';

export default function SupportListPage() {
  return <PageHeader title="SupportListPage" description="Not built yet." />;
}
