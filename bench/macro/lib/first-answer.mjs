// Whether a server answers yet: what the start-up benches poll until the first answer.
import { connect } from 'node:net';

/**
 * One GET / to 127.0.0.1:`port` over a fresh connection; resolves true once a whole 200
 * response arrived, false on a refused or failed connection.
 * @param {number} port
 * @returns {Promise<boolean>}
 */
export function answers(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.setEncoding('latin1');
    socket.once('connect', () => {
      socket.end('GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n');
    });
    socket.on('data', (chunk) => (reply += chunk));
    socket.once('close', () => resolve(reply.startsWith('HTTP/1.1 200')));
    socket.once('error', () => resolve(false));
  });
}
