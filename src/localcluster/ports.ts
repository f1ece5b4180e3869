// Free TCP ports on 127.0.0.1 for the control plane's listeners. The kernel
// picks them (bind to port 0); all sockets stay open until every port is
// chosen, so the ports are distinct. Another process can still take a port
// between our close and the component's bind: the caller retries the start
// when a component reports "address already in use".
import { createServer } from 'node:net';
import type { Server } from 'node:net';

function listenOnAnyPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port of a loopback listener'));
        return;
      }
      resolve({ server, port: address.port });
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Returns `count` distinct TCP ports that were free on 127.0.0.1 a moment ago. */
export async function pickFreeLoopbackPorts(count: number): Promise<number[]> {
  const held: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const { server, port } = await listenOnAnyPort();
      held.push(server);
      ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(held.map(close));
  }
}
