// Checks a static server before it is measured: every small file comes back 200, unencoded, with
// exactly the bytes on disk, so a misconfigured server (listing, 404, gzip) is never measured.
import { get } from 'node:http';

/**
 * One GET over a fresh connection; resolves with the status, headers and body.
 * @param {number} port
 * @param {string} path
 * @returns {Promise<{ status: number, headers: import('node:http').IncomingHttpHeaders, body: Buffer }>}
 */
function fetchOnce(port, path) {
  return new Promise((resolve, reject) => {
    const request = get({ host: '127.0.0.1', port, path, agent: false, timeout: 5000 }, (res) => {
      /** @type {Buffer[]} */
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${path}: no reply within 5 s`)));
    request.on('error', reject);
  });
}

/**
 * @param {number} port
 * @param {import('./static-files.mjs').StaticFile[]} files
 * @returns {Promise<void>} rejects with what came back when a file is not served as it is
 */
export async function checkStaticFiles(port, files) {
  for (const file of files) {
    const path = `/${file.name}`;
    const reply = await fetchOnce(port, path);
    const encoding = reply.headers['content-encoding'];
    if (reply.status !== 200 || encoding !== undefined || !reply.body.equals(file.content)) {
      throw new Error(
        `GET ${path}: status ${reply.status}, content-encoding ${encoding ?? 'none'}, ` +
          `${reply.body.length} bytes (expected 200, none, ${file.size} bytes of the file)`,
      );
    }
  }
}
