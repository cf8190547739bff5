import { GuardedProxy, type PrivateAddressGuard, resolveGuarded } from '@pincer/nodes';

/**
 * A forward proxy on 127.0.0.1 that a session's context sends everything through. It resolves
 * each host itself, refuses guarded addresses, and connects to the address it checked: Chromium
 * never resolves names, so a DNS answer that changes between the check and the connection (DNS
 * rebinding) cannot reach a private address.
 */
export class GuardProxy {
  private constructor(private readonly proxy: GuardedProxy<PrivateAddressGuard>) {}

  static async start(guard: PrivateAddressGuard): Promise<GuardProxy> {
    // Only the session's own browser reaches 127.0.0.1: every client is admitted under the guard.
    return new GuardProxy(
      await GuardedProxy.listen(
        { admit: () => guard, resolve: (admitted, host) => resolveGuarded(admitted, host) },
        '127.0.0.1',
      ),
    );
  }

  get url(): string {
    return `http://127.0.0.1:${this.proxy.port}`;
  }

  /** Requests and tunnels it handled (refused ones included). */
  get handled(): number {
    return this.proxy.handled;
  }

  close(): Promise<void> {
    return this.proxy.close();
  }
}
