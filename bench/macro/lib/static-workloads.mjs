// The wrk workloads of the static benchmark: each file size with keep-alive, and 1 KiB with
// Connection: close. (The large download is measured with curl, in static-download.mjs.)

/**
 * @typedef {import('./workloads.mjs').Workload & { file: string }} StaticWorkload
 * `file` is the name requested ("/" + file).
 */

/** The workload name of the download step (BENCH_WORKLOADS). */
export const downloadWorkload = 'download';

/** @returns {StaticWorkload[]} */
export function createStaticWorkloads() {
  /**
   * @param {string} name
   * @param {string} title
   * @param {string} file
   * @param {string[]} options
   * @returns {StaticWorkload}
   */
  const workload = (name, title, file, options = []) => ({
    name,
    title,
    file,
    options,
    scriptArgs: [],
  });
  return [
    workload('13b', '13 B keep-alive', '13b.txt'),
    workload('1k', '1 KiB keep-alive', '1k.txt'),
    workload('64k', '64 KiB keep-alive', '64k.txt'),
    workload('1m', '1 MiB keep-alive', '1m.txt'),
    workload('1k-close', '1 KiB Connection: close', '1k.txt', ['-H', 'Connection: close']),
  ];
}
