// Starts porta from a Config: binds every listener, wires engine, router and logs; stops gracefully.
import type { Server, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { buildPlan, type Plan } from '../config/build-plan.js';
import type { Config, ConfigInput } from '../config/schema.js';
import { validateConfig } from '../config/validate.js';
import { Dispatcher } from '../http/dispatcher.js';
import { Router } from '../http/router.js';
import { Http1Server } from '../http1/http1-server.js';
import { type AccessLog, createAccessLog } from '../log/access-log.js';
import { type Logger, createLogger } from '../log/logger.js';
import { formatHostPort, formatUrl } from '../net/listen-address.js';
import { closeServer, listen } from '../net/listener.js';
import { type TcpEcho, startTcpEcho } from '../net/tcp-echo.js';

export interface BoundAddress {
  readonly host: string;
  readonly port: number;
  /** "http://127.0.0.1:8080" or "tcp://127.0.0.1:7" */
  readonly url: string;
}

export interface RunningServer {
  /** What was bound, in config order (HTTP listeners first, then TCP echo). */
  readonly addresses: readonly BoundAddress[];
  readonly logger: Logger;
  /** Graceful stop: stop accepting, finish in-flight requests (up to the shutdown timeout), close. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Use this logger instead of one built from config.log. */
  readonly logger?: Logger;
}

interface HttpListener {
  readonly server: Server;
  readonly engine: Http1Server;
}

/** Validates `input`, builds the plan, binds everything (all or nothing) and starts serving. */
export async function start(
  input: ConfigInput | Config,
  options: StartOptions = {},
): Promise<RunningServer> {
  const config = validateConfig(input);
  const plan = buildPlan(config);
  const logger =
    options.logger ?? createLogger({ level: plan.log.level, path: plan.log.error_path });
  const access = createAccessLog({
    format: plan.log.access,
    path: plan.log.access_path,
    logger,
  });
  const listeners: HttpListener[] = [];
  const echoes: TcpEcho[] = [];
  const addresses: BoundAddress[] = [];
  try {
    for (const listenerPlan of plan.http) {
      const listener = await startHttpListener(
        listenerPlan,
        logger,
        plan.log.access === 'off' ? null : access,
      );
      listeners.push(listener);
      const bound = listener.server.address() as AddressInfo;
      const url = formatUrl('http', bound.address, bound.port);
      addresses.push({ host: bound.address, port: bound.port, url });
      logger.info(`Listening on ${url}`);
    }
    for (const echoPlan of plan.tcpEcho) {
      const echo = await startTcpEcho([echoPlan.address], {
        maxConnections: echoPlan.maxConnections,
        idleTimeoutMs: echoPlan.idleTimeoutMs,
        logger,
      });
      echoes.push(echo);
      for (const bound of echo.addresses) {
        const url = formatUrl('tcp', bound.host, bound.port);
        addresses.push({ host: bound.host, port: bound.port, url });
        logger.info(`TCP echo listening on ${url}`);
      }
    }
  } catch (error) {
    await Promise.all([
      ...listeners.map((l) => closeServer(l.server)),
      ...echoes.map((e) => e.close()),
    ]);
    await releaseHandlers(plan);
    throw error;
  }
  let stopping: Promise<void> | null = null;
  return {
    addresses,
    logger,
    stop: () =>
      (stopping ??= stopAll(plan, listeners, echoes, access, logger, options.logger === undefined)),
  };
}

async function startHttpListener(
  plan: Plan['http'][number],
  logger: Logger,
  access: AccessLog | null,
): Promise<HttpListener> {
  const dispatcher = new Dispatcher(new Router(plan.sites), plan.limits, plan.timeouts, {
    error: (message) => {
      logger.error(message);
    },
    debugEnabled: logger.debugEnabled,
    debug: (message) => {
      logger.debug(message);
    },
    access,
  });
  const engine = new Http1Server(dispatcher);
  const onConnection = logger.debugEnabled
    ? (socket: Socket) => {
        logger.debug(
          `Connection from ${formatHostPort(socket.remoteAddress ?? '?', socket.remotePort ?? 0)}`,
        );
        engine.accept(socket);
      }
    : (socket: Socket) => {
        engine.accept(socket);
      };
  const server = await listen(plan.address, onConnection, {
    maxConnections: plan.maxConnections,
    onError: (error) => {
      logger.error(`Listener ${plan.address.text}: ${String(error)}`);
    },
  });
  return { server, engine };
}

async function releaseHandlers(plan: Plan): Promise<void> {
  await Promise.all(plan.handlers.map((h) => h.close()));
}

async function stopAll(
  plan: Plan,
  listeners: readonly HttpListener[],
  echoes: readonly TcpEcho[],
  access: AccessLog,
  logger: Logger,
  ownLogger: boolean,
): Promise<void> {
  // Stop accepting first, then let in-flight requests finish (up to the deadline).
  const closed = listeners.map((l) => closeServer(l.server));
  await Promise.all([
    ...listeners.map((l) => l.engine.shutdown(plan.shutdownMs)),
    ...echoes.map((e) => e.close()),
  ]);
  await Promise.all(closed);
  await releaseHandlers(plan);
  await access.close();
  if (ownLogger) await logger.close();
  else await logger.flush();
}
