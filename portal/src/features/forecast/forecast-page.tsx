import { PageHeader } from '../../ui/page.tsx';

export default function ForecastPage() {
  return <PageHeader title="ForecastPage" description="Not built yet." />;
}
