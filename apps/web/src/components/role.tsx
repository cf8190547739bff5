'use client';

import { createContext, type ReactNode, useContext } from 'react';

export type StudioRole = 'owner' | 'editor' | 'viewer';

const RoleContext = createContext<StudioRole>('viewer');

/** The signed-in user's role, for hiding what they may not do (the server refuses it anyway). */
export function RoleProvider({ role, children }: { role: StudioRole; children: ReactNode }) {
  return <RoleContext.Provider value={role}>{children}</RoleContext.Provider>;
}

export function useRole(): { role: StudioRole; canEdit: boolean; isOwner: boolean } {
  const role = useContext(RoleContext);
  return { role, canEdit: role !== 'viewer', isOwner: role === 'owner' };
}
