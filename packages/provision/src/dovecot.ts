import { accessSync, constants } from 'node:fs';
import { aptInstall, canAptInstall } from './apt.ts';
import { describe, ProvisionError, type ProvisionStep, type StepStatus } from './steps.ts';

/** What a private Dovecot needs: the master binary and the IMAP and LMTP services it spawns. */
export const DOVECOT_BINARY = '/usr/sbin/dovecot';
const SERVICES = ['/usr/lib/dovecot/imap', '/usr/lib/dovecot/lmtp'];

const INSTALL_FIX = 'apt-get install -y dovecot-imapd dovecot-lmtpd (as root, Debian/Ubuntu)';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Dovecot binary when Dovecot with IMAP and LMTP is installed. */
export function findDovecot(): string | undefined {
  return [DOVECOT_BINARY, ...SERVICES].every(executable) ? DOVECOT_BINARY : undefined;
}

/**
 * Makes sure Dovecot (IMAP and LMTP) is installed, for the e-mail channel's tests, which run a
 * private Dovecot as their own process. As root on a Debian-like system it installs Debian's
 * packages with apt-get (once); otherwise it reports the command that does.
 */
export function dovecotStep(): ProvisionStep {
  const check = async (): Promise<StepStatus> => {
    const found = findDovecot();
    if (found) return { state: 'ready', detail: found };
    return {
      state: canAptInstall() ? 'missing' : 'unavailable',
      detail: 'Dovecot with IMAP and LMTP is not installed',
      fix: INSTALL_FIX,
    };
  };
  return {
    id: 'dovecot',
    title: 'Dovecot (IMAP, LMTP)',
    check,
    async ensure(progress) {
      const before = await check();
      if (before.state !== 'missing') return before;
      progress('installing Debian dovecot-imapd and dovecot-lmtpd with apt-get (once)');
      try {
        await aptInstall(['dovecot-imapd', 'dovecot-lmtpd'], progress);
      } catch (error) {
        throw new ProvisionError(
          'dovecot_install_failed',
          'dovecot',
          `Could not install Dovecot with apt-get: ${describe(error).split('\n').slice(-3).join(' ')}.`,
          INSTALL_FIX,
          { cause: error },
        );
      }
      const after = findDovecot();
      if (!after)
        throw new ProvisionError(
          'dovecot_install_failed',
          'dovecot',
          'apt-get installed Dovecot but its imap and lmtp services were not found afterwards.',
          INSTALL_FIX,
        );
      return { state: 'ready', detail: after };
    },
  };
}
