// The large-download step: curl (pinned to the load CPU) fetches the big file N times from one
// server while the runner reads the server's RSS every few ms; speed, peak RSS and server CPU.
import { clearInterval, setInterval } from 'node:timers';
import { runToEnd } from './processes.mjs';
import { processTree, readRss } from './rss.mjs';
import { treeCpuSeconds } from './cpu.mjs';

/**
 * @typedef {object} DownloadResult
 * @property {number[]} bytesPerSecond curl's speed_download of each download
 * @property {number} rssIdle bytes, just before the first download
 * @property {number} rssPeak bytes, the highest reading during the downloads
 * @property {number} rssGrowth rssPeak - rssIdle
 * @property {number} rssSamples readings taken
 * @property {number} cpuSecondsPerDownload server CPU (user + system) over the downloads / count
 * @property {string[]} errors downloads that failed or came back short
 */

/**
 * @param {object} options
 * @param {string} options.curl binary
 * @param {number} options.serverPid
 * @param {string} options.url
 * @param {number} options.size expected bytes
 * @param {number} options.count downloads
 * @param {number} options.sampleMs RSS reading interval
 * @param {number | null} options.cpu where curl runs
 * @returns {Promise<DownloadResult>}
 */
export async function measureDownloads({ curl, serverPid, url, size, count, sampleMs, cpu }) {
  // The tree is read once: it does not change during a download, and scanning /proc every
  // 50 ms would cost the runner more than reading two status files.
  const pids = processTree(serverPid);
  const rssNow = () => pids.reduce((sum, pid) => sum + readRss(pid), 0);
  const rssIdle = rssNow();
  let rssPeak = rssIdle;
  let rssSamples = 1;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, rssNow());
    rssSamples++;
  }, sampleMs);
  /** @type {number[]} */
  const bytesPerSecond = [];
  /** @type {string[]} */
  const errors = [];
  const cpuBefore = treeCpuSeconds(serverPid);
  try {
    for (let i = 0; i < count; i++) {
      const result = await runToEnd({
        label: 'curl download',
        command: curl,
        args: [
          '-s',
          '-o',
          '/dev/null',
          '-w',
          '%{http_code} %{size_download} %{speed_download}',
          url,
        ],
        cpu,
        // Even 10 MB/s would finish in time; a stuck server fails the step instead of the run.
        timeoutMs: Math.max(30_000, (size / 10e6) * 1000),
      });
      const [status, received, speed] = result.stdout.trim().split(' ').map(Number);
      if (result.code !== 0 || status !== 200 || received !== size) {
        errors.push(
          `download ${i + 1}: curl exit ${result.code}, status ${status}, ${received} of ${size} bytes`,
        );
        continue;
      }
      bytesPerSecond.push(/** @type {number} */ (speed));
    }
  } finally {
    clearInterval(sampler);
  }
  const cpuSeconds = treeCpuSeconds(serverPid) - cpuBefore;
  rssPeak = Math.max(rssPeak, rssNow());
  return {
    bytesPerSecond,
    rssIdle,
    rssPeak,
    rssGrowth: rssPeak - rssIdle,
    rssSamples: rssSamples + 1,
    cpuSecondsPerDownload: cpuSeconds / count,
    errors,
  };
}
