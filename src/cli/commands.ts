// Every command of the command line, each loaded only when asked for: `porta serve dir` loads
// the serve command and what it runs, not the code of run, check, proxy, trust, reload...
import type { Command } from 'commander';
import type { ConfigInput } from '../config/schema.js';
import type { ServeConfig, ServeInfo } from './serve.js';

/** Adds a command (or a few: reload and stop) to the program. */
export type AddCommand = (program: Command) => void;

export interface CommandEntry {
  /** The names the command line answers to. */
  readonly names: readonly string[];
  /** Imports the command's module(s) and gives back what adds it to the program. */
  readonly load: () => Promise<AddCommand>;
}

/** The commands in the order `porta --help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  { names: ['run'], load: async () => (await import('./run.js')).addRunCommand },
  { names: ['check'], load: async () => (await import('./check.js')).addCheckCommand },
  { names: ['schema'], load: async () => (await import('./schema.js')).addSchemaCommand },
  {
    names: ['serve'],
    load: async () => {
      const [{ addServeCommand }, { printConfig }] = await Promise.all([
        import('./serve.js'),
        import('./run-server.js'),
      ]);
      return (program) => {
        addServeCommand(program, serve, printConfig);
      };
    },
  },
  {
    names: ['echo'],
    load: async () => oneLiner((await import('./echo.js')).addEchoCommand),
  },
  {
    names: ['proxy'],
    load: async () => oneLiner((await import('./proxy.js')).addProxyCommand),
  },
  {
    names: ['forward'],
    load: async () => oneLiner((await import('./forward.js')).addForwardCommand),
  },
  {
    names: ['app'],
    load: async () => {
      const [{ addAppCommand }, { printConfig, runServer }] = await Promise.all([
        import('./app.js'),
        import('./run-server.js'),
      ]);
      return (program) => {
        addAppCommand(
          program,
          (config, options) => runServer({ kind: 'input', input: config }, options),
          printConfig,
        );
      };
    },
  },
  {
    names: ['reload', 'stop'],
    load: async () => (await import('./control.js')).addControlCommands,
  },
  {
    names: ['hash-password'],
    load: async () => (await import('./hash-password.js')).addHashPasswordCommand,
  },
  { names: ['trust'], load: async () => (await import('./trust.js')).addTrustCommand },
];

type OneLinerRun = (config: ConfigInput) => Promise<void>;
type OneLinerPrint = (config: ConfigInput) => void | Promise<void>;

/** echo, proxy and forward: a config from flags, run as one; with run-server loaded beside. */
async function oneLiner(
  add: (program: Command, run: OneLinerRun, print: OneLinerPrint) => void,
): Promise<AddCommand> {
  const { printConfig, runServer } = await import('./run-server.js');
  const run = (config: ConfigInput): Promise<void> => runServer({ kind: 'input', input: config });
  return (program) => {
    add(program, run, printConfig);
  };
}

/** `porta serve`: runs the folder's config, then says the hint and opens the browser if asked. */
async function serve(config: ServeConfig, info: ServeInfo): Promise<void> {
  const [{ runServer }, { createLogger }] = await Promise.all([
    import('./run-server.js'),
    import('../log/logger.js'),
  ]);
  return runServer(
    { kind: 'input', input: config },
    {
      onStarted: (urls) => {
        if (info.hint !== null) {
          createLogger({ level: config.log?.level ?? 'info', path: 'stderr' }).info(info.hint);
        }
        // Only `--open` needs child_process: loaded then, after the server answers.
        if (info.openBrowser) {
          void import('./open-browser.js').then(({ openBrowser }) => {
            openBrowser(urls);
          });
        }
      },
    },
  );
}
