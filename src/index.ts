// porta's library API: start a server from a config, stop it.
export { start } from './runtime/start.js';
export type { BoundAddress, RunningServer, StartOptions } from './runtime/start.js';
export type { Config, ConfigInput } from './config/schema.js';
export { PortaError, isPortaError } from './errors.js';
