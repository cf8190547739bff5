import type { Role } from '@pincer/db';

declare module 'next-auth' {
  interface Session {
    userId?: string;
    role?: Role;
  }
  interface User {
    role?: Role;
    /** The StudioSession row a sign-in created. */
    sessionId?: string;
  }
}

declare module 'next-auth/jwt' {
  interface JWT {
    role?: Role;
    /** The StudioSession the cookie stands for: revoked sessions are refused. */
    sid?: string;
  }
}
