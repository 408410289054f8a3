import { PageHeader } from '../../ui/page.tsx';

export default function ApiKeysPage() {
  return <PageHeader title="ApiKeysPage" description="Not built yet." />;
}
