import type { Role } from '@pincer/db';

declare module 'next-auth' {
  interface Session {
    userId?: string;
    role?: Role;
  }
  interface User {
    role?: Role;
  }
}

declare module 'next-auth/jwt' {
  interface JWT {
    role?: Role;
  }
}
