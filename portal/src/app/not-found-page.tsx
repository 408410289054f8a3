import { Link } from 'react-router';
import { usePageTitle } from '../ui/page.tsx';

export default function NotFoundPage() {
  usePageTitle('Not found');
  return (
    <div className="state state-empty">
      <h1>Nothing here</h1>
      <p>
        This address is not a page of the portal. <Link to="/support">Go to Support</Link>.
      </p>
    </div>
  );
}
