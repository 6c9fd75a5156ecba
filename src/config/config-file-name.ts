// The file `porta run`, `check`, `reload` and `stop` read when none is named (kept apart from load.ts: the CLI names it without loading YAML).
export const DEFAULT_CONFIG_FILE = 'porta.yaml';
