import type { ReactNode } from 'react';
import '@xyflow/react/dist/style.css';
import '../studio.css';
import { RoleProvider } from '../../components/role.tsx';
import { requireUser } from '../../lib/auth/server.ts';
import { StudioProviders } from '../../lib/trpc/client.tsx';
import { Nav } from './nav.tsx';

export const dynamic = 'force-dynamic';

export default async function StudioLayout({ children }: { children: ReactNode }) {
  const user = await requireUser('viewer');
  return (
    <StudioProviders>
      <RoleProvider role={user.role}>
        <div className="studio">
          <Nav email={user.email} role={user.role} />
          <main className="studio-main">{children}</main>
        </div>
      </RoleProvider>
    </StudioProviders>
  );
}
