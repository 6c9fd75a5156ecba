// Turns a ConfigRequest into a validated Config (and the pid file it names), plan checked: the
// heavy side (YAML, the zod schema, the handlers), loaded only where a config is validated.
import { resolve } from 'node:path';
import { type Plan, checkPlan } from '../config/build-plan.js';
import type { Config } from '../config/schema.js';
import { validateConfig } from '../config/validate.js';
import { type ConfigRequest, adminOverride } from './config-request.js';
import { defaultPidFile } from './pid-file.js';

export interface LoadedRequest {
  readonly config: Config;
  /** Where `porta run` keeps its pid; null for one-liners. */
  readonly pidFile: string | null;
  /** What the check has to say (a local CA made, a certificate issued), for the runner's log. */
  readonly notes: readonly LogNote[];
}

export interface LogNote {
  readonly level: 'info' | 'warning';
  readonly message: string;
}

/**
 * `tls: internal` leaves are made here, once, before any worker starts: workers then find them
 * on disk instead of racing to issue them. The local CA's code loads only for such a config.
 */
async function issueInternal(plan: Plan): Promise<LogNote[]> {
  const notes: LogNote[] = [];
  if (!plan.http.some((l) => l.tls?.sites.some((s) => s.certificate === null) === true)) {
    return notes;
  }
  const { issueInternalCertificates, reportIssued } =
    await import('../tls/internal-certificates.js');
  const collect = {
    info: (message: string) => notes.push({ level: 'info', message }),
    warning: (message: string) => notes.push({ level: 'warning', message }),
  };
  await issueInternalCertificates(plan, undefined, (issued) => {
    reportIssued(issued, collect);
  });
  return notes;
}

/** Reads, validates and plan-checks what the request names; throws as `porta check` would. */
export async function loadRequest(request: ConfigRequest): Promise<LoadedRequest> {
  if (request.kind === 'input') {
    const config = validateConfig(request.input);
    const plan = await checkPlan(config); // addresses, duplicates: before anything binds
    return { config, pidFile: null, notes: await issueInternal(plan) };
  }
  // The YAML parser only for a file: a one-liner's config is built in code.
  const { loadConfigFile } = await import('../config/load.js');
  const loaded = await loadConfigFile(request.file, { command: 'run' });
  const { overrides } = request;
  const config = validateConfig({
    ...loaded.config,
    log: { ...loaded.config.log, ...overrides.log },
    ...(overrides.workers === undefined ? {} : { workers: overrides.workers }),
    ...adminOverride(overrides.admin, loaded.config.admin, overrides.adminEnv),
  });
  const notes = await issueInternal(await checkPlan(config));
  const pidFile =
    request.pidFile ??
    (loaded.config.pid_file === undefined
      ? defaultPidFile(loaded.path)
      : resolve(loaded.baseDir, loaded.config.pid_file));
  return { config, pidFile, notes };
}
