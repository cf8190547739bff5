import { redirect } from 'next/navigation';

/** `/login` is where people guess the sign-in page is. */
export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}): Promise<never> {
  const callbackUrl = (await searchParams).callbackUrl;
  redirect(typeof callbackUrl === 'string' ? `/signin?${new URLSearchParams({ callbackUrl })}` : '/signin');
}
