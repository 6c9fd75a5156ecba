// Picks free loopback ports: the kernel hands one out for port 0, we note it and let it go.
import { createServer } from 'node:net';

const handedOut = new Set();

/**
 * A port free on 127.0.0.1 right now and not handed out before in this run.
 * @returns {Promise<number>}
 */
export async function pickFreePort() {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => {
          resolve(typeof address === 'object' && address !== null ? address.port : 0);
        });
      });
    });
    if (port !== 0 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('could not find a free port on 127.0.0.1');
}
