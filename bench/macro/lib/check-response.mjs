// Sends one plain GET over a raw socket and checks the server answers 200 "Hello, World!", so a
// misconfigured server is caught before it is measured.
import { connect } from 'node:net';

/**
 * @param {number} port
 * @returns {Promise<void>} rejects with what came back when it is not the expected reply
 */
export function checkHelloResponse(port) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    socket.setTimeout(3000);
    socket.on('connect', () => {
      socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    });
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.length > 65536) socket.destroy(new Error('reply too long'));
    });
    socket.on('timeout', () => socket.destroy(new Error('no complete reply within 3 s')));
    socket.on('error', (error) => reject(error));
    socket.on('close', () => {
      const bodyAt = received.indexOf('\r\n\r\n');
      const ok =
        received.startsWith('HTTP/1.1 200 ') && received.slice(bodyAt + 4) === 'Hello, World!';
      if (ok) resolve();
      else reject(new Error(`unexpected reply: ${JSON.stringify(received.slice(0, 300))}`));
    });
  });
}
