// The validated Config of a one-liner (`serve`, `echo`) without the schema library: the shapes
// those commands build, checked here and filled with the schema's generated defaults. Anything
// else (a config file, `proxy`, `forward`, `--https`, an unusual value) gets null and
// goes the validated way, which reports a mistake as it always did.
import type { Config, ConfigInput, RouteConfig, SiteConfig, StreamConfig } from './schema.js';
import type { StaticConfig } from './static-schema.js';
import {
  CONFIG_DEFAULTS,
  ECHO_DEFAULTS,
  ROUTE_DEFAULTS,
  SITE_DEFAULTS,
  STATIC_DEFAULTS,
  STREAM_DEFAULTS,
} from './defaults.generated.js';
import { adminAddress, isLoopback } from './admin-options.js';
import { listenProblems } from './listen-conflicts.js';
import { parseSize } from './units.js';

type Tree = Record<string, unknown>;

const LOG_LEVELS: ReadonlySet<unknown> = new Set(['debug', 'info', 'warning', 'error']);
const LOG_FORMATS: ReadonlySet<unknown> = new Set(['text', 'json']);
/** The access log presets; a format of $variables is checked by the schema. */
const ACCESS_PRESETS: ReadonlySet<unknown> = new Set(['combined', 'json', 'off']);
/** The schema's `workers` bounds. */
const MAX_WORKERS = 256;
/** A header field value (RFC 9110 §5.5): no CR, LF or NUL, as static.cache_control requires. */
const FIELD_VALUE = /^[^\r\n\0]*$/;

/** Thrown inside this module when the input is not a form it knows; caught by oneLinerConfig. */
class NotSimple extends Error {}

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object at hand, having no key but those named; else NotSimple. */
function tree(value: unknown, keys: readonly string[]): Tree {
  if (!isTree(value)) throw new NotSimple();
  for (const key of Object.keys(value)) if (!keys.includes(key)) throw new NotSimple();
  return value;
}

function check(ok: boolean): void {
  if (!ok) throw new NotSimple();
}

/** A non-empty list of strings. */
function texts(value: unknown): string[] {
  check(Array.isArray(value) && value.length > 0);
  const list = value as unknown[];
  for (const item of list) check(typeof item === 'string');
  return [...(list as string[])];
}

/** Only the keys that are set, so a default is not hidden by an explicit undefined. */
function defined(value: Tree): Tree {
  const out: Tree = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = item;
  return out;
}

function workersOf(value: unknown): Config['workers'] {
  if (value === undefined || value === 'auto') return 'auto';
  check(Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= MAX_WORKERS);
  return value as number;
}

function logOf(value: unknown): Config['log'] {
  const log = structuredClone(CONFIG_DEFAULTS.log);
  if (value === undefined) return log;
  const given = tree(value, ['level', 'format', 'access', 'access_path', 'error_path']);
  check(given.level === undefined || LOG_LEVELS.has(given.level));
  check(given.format === undefined || LOG_FORMATS.has(given.format));
  check(given.access === undefined || ACCESS_PRESETS.has(given.access));
  check(given.access_path === undefined || typeof given.access_path === 'string');
  check(given.error_path === undefined || typeof given.error_path === 'string');
  return { ...log, ...(defined(given) as Partial<Config['log']>) };
}

function limitsOf(value: unknown): Config['limits'] {
  const limits = structuredClone(CONFIG_DEFAULTS.limits);
  if (value === undefined) return limits;
  const size = tree(value, ['max_body_size']).max_body_size;
  if (size === undefined) return limits;
  const whole = typeof size === 'number' && Number.isSafeInteger(size) && size >= 0;
  if (!whole && typeof size !== 'string') throw new NotSimple();
  check(!Number.isNaN(parseSize(size)));
  return { ...limits, max_body_size: size };
}

function staticOf(value: unknown): StaticConfig {
  const given = tree(value, ['root', 'listing', 'spa', 'cors', 'compress', 'cache_control']);
  check(given.root === undefined || (typeof given.root === 'string' && given.root !== ''));
  for (const flag of ['listing', 'spa', 'cors', 'compress']) {
    check(given[flag] === undefined || typeof given[flag] === 'boolean');
  }
  const cache = given.cache_control;
  check(cache === undefined || (typeof cache === 'string' && FIELD_VALUE.test(cache)));
  return { ...structuredClone(STATIC_DEFAULTS), ...(defined(given) as Partial<StaticConfig>) };
}

function routeOf(value: unknown): RouteConfig {
  const given = tree(value, ['path', 'static', 'echo']);
  check(given.path === undefined || (typeof given.path === 'string' && given.path.startsWith('/')));
  // Exactly one handler, as the schema requires.
  check((given.static === undefined) !== (given.echo === undefined));
  const route: RouteConfig = { ...structuredClone(ROUTE_DEFAULTS) };
  if (given.path !== undefined) route.path = given.path as string;
  if (given.static !== undefined) route.static = staticOf(given.static);
  // A --name is checked by the schema (printable ASCII): only the default echo here.
  else {
    tree(given.echo, []);
    route.echo = { ...ECHO_DEFAULTS };
  }
  return route;
}

function siteOf(value: unknown): SiteConfig {
  const given = tree(value, ['listen', 'routes']);
  check(Array.isArray(given.routes) && given.routes.length > 0);
  return {
    ...structuredClone(SITE_DEFAULTS),
    ...(given.listen === undefined ? {} : { listen: texts(given.listen) }),
    routes: (given.routes as unknown[]).map(routeOf),
  };
}

function streamOf(value: unknown): StreamConfig {
  const given = tree(value, ['listen', 'echo']);
  tree(given.echo, []); // `echo: {}`: the one-liners' TCP echo has no options
  return { ...structuredClone(STREAM_DEFAULTS), listen: texts(given.listen), echo: {} };
}

/** `--admin` or $PORTA_ADMIN: a loopback address as text (others need a guard the schema checks). */
function adminOf(value: unknown): { admin?: string } {
  if (value === undefined) return {};
  check(typeof value === 'string');
  let loopback = false;
  try {
    loopback = isLoopback(adminAddress(value as string));
  } catch {
    // not an address: the schema says so
  }
  check(loopback);
  return { admin: value as string };
}

function listOf<T>(value: unknown, each: (item: unknown) => T): T[] {
  if (value === undefined) return [];
  check(Array.isArray(value));
  return (value as unknown[]).map(each);
}

/**
 * The config validation would give for `input`, when it is one of the forms the one-liners
 * build and every value is one this module can vouch for; otherwise null (validate it).
 */
export function oneLinerConfig(input: ConfigInput): Config | null {
  try {
    const given = tree(input, ['sites', 'streams', 'limits', 'log', 'workers', 'admin']);
    const config: Config = {
      ...structuredClone(CONFIG_DEFAULTS),
      sites: listOf(given.sites, siteOf),
      streams: listOf(given.streams, streamOf),
      limits: limitsOf(given.limits),
      log: logOf(given.log),
      workers: workersOf(given.workers),
      ...adminOf(given.admin),
    };
    // Malformed or clashing addresses: the validated way names them.
    return listenProblems(config, true).length === 0 ? config : null;
  } catch (error) {
    if (error instanceof NotSimple) return null;
    throw error;
  }
}
