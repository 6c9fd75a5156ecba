// Settings of the static-file benchmark (`npm run bench:static`), read once from BENCH_* variables.
import { readList, readNumber } from './settings.mjs';

/**
 * @typedef {object} StaticSettings
 * @property {number} duration seconds of each measured wrk run (BENCH_DURATION)
 * @property {number} warmup seconds of the discarded wrk run before each measured one (BENCH_WARMUP)
 * @property {number} passes passes over every server and workload; medians across them (BENCH_PASSES)
 * @property {number} connections wrk connections (BENCH_CONNECTIONS)
 * @property {number} downloadMiB size of the download file in MiB (BENCH_DOWNLOAD_MIB)
 * @property {number} downloads downloads per server and pass (BENCH_DOWNLOADS)
 * @property {number} rssSampleMs how often RSS is read during the downloads (BENCH_RSS_SAMPLE_MS)
 * @property {string[] | null} servers names to run, null for all (BENCH_SERVERS=nginx,porta)
 * @property {string[] | null} workloads names to run, null for all (BENCH_WORKLOADS=1k,download)
 * @property {number} timeout seconds the whole run may take before everything is stopped (BENCH_TIMEOUT)
 */

/** Servers in the suite at most; the timeout estimate assumes all of them. */
const serverCount = 7; // six, and porta-before when BENCH_PORTA_BEFORE is set
/** wrk workloads (13 B, 1 KiB, 64 KiB, 1 MiB, 1 KiB close). */
const wrkWorkloadCount = 5;

/** @returns {StaticSettings} */
export function readStaticSettings() {
  const duration = readNumber('BENCH_DURATION', 5, 1);
  const warmup = readNumber('BENCH_WARMUP', 1, 0);
  const passes = Math.round(readNumber('BENCH_PASSES', 2, 1));
  const connections = Math.round(readNumber('BENCH_CONNECTIONS', 50, 1));
  const downloadMiB = Math.round(readNumber('BENCH_DOWNLOAD_MIB', 100, 1));
  const downloads = Math.round(readNumber('BENCH_DOWNLOADS', 3, 1));
  const rssSampleMs = Math.round(readNumber('BENCH_RSS_SAMPLE_MS', 50, 10));
  const servers = readList('BENCH_SERVERS');
  const workloads = readList('BENCH_WORKLOADS');
  // Per server and pass: start, each workload (warm-up + run + slack), a fresh start and the
  // downloads (a slow Node server moves ~100 MB/s: about 1 s per 100 MiB, 5 s allowed); then margin.
  const perDownload = Math.max(5, downloadMiB / 20);
  const perServer = 5 + wrkWorkloadCount * (warmup + duration + 2) + 5 + downloads * perDownload;
  const timeout = readNumber('BENCH_TIMEOUT', 2 * passes * serverCount * perServer + 120, 10);
  return {
    duration,
    warmup,
    passes,
    connections,
    downloadMiB,
    downloads,
    rssSampleMs,
    servers,
    workloads,
    timeout,
  };
}
