import net from 'node:net';

export interface EngineAddress {
  socketPath?: string;
  host?: string;
  port?: number;
}

/**
 * Attaches to a created container's stdin, stdout and stderr over a hijacked connection. Written
 * by hand because dockerode sends its options as the request body, which podman hands to the
 * container as the first bytes of stdin; here the request has no body at all.
 */
export function attachContainer(address: EngineAddress, id: string, timeoutMs = 30_000): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = address.socketPath
      ? net.connect({ path: address.socketPath })
      : net.connect({ host: address.host ?? '127.0.0.1', port: address.port ?? 2375 });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`attaching to container ${id.slice(0, 12)} took over ${timeoutMs} ms`));
    }, timeoutMs);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      // Hold the container's output until the caller reads it (flowing data without a listener is lost).
      socket.pause();
      clearTimeout(timer);
      const statusLine = head.subarray(0, head.indexOf('\r\n')).toString();
      const status = Number(statusLine.split(' ')[1]);
      if (status !== 101 && status !== 200) {
        socket.destroy();
        reject(
          new Error(
            `attach refused: ${statusLine} ${head
              .subarray(end + 4)
              .toString()
              .slice(0, 200)}`,
          ),
        );
        return;
      }
      const rest = head.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve(socket);
    };
    socket.on('data', onData);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('connect', () => {
      socket.write(
        [
          `POST /containers/${id}/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1`,
          'Host: docker',
          'Connection: Upgrade',
          'Upgrade: tcp',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
      );
    });
  });
}
