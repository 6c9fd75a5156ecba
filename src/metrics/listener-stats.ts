// Counters of one HTTP listener: connections, bytes on the wire, requests the engine refused.
import type { Socket } from 'node:net';

/** What the listener's engine can tell at scrape time. */
export interface ConnectionProbe {
  readonly open: number;
  readonly idle: number;
}

const NO_CONNECTIONS: ConnectionProbe = { open: 0, idle: 0 };

export class ListenerStats {
  /** The listen address as configured ("127.0.0.1:8080", "*:80"). */
  readonly listener: string;
  accepted = 0;
  received = 0;
  sent = 0;
  /** Refusals by status: rare, so a Map is fine. */
  readonly protocolErrors = new Map<number, number>();
  /** Set by the open listener; the closed one reports nothing open. */
  probe: () => ConnectionProbe = () => NO_CONNECTIONS;
  /** One function per listener (not per connection): `this` is the closing socket. */
  readonly onSocketClose: (this: Socket) => void;

  constructor(listener: string) {
    this.listener = listener;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the socket is `this` inside
    const stats = this;
    this.onSocketClose = function (this: Socket) {
      stats.received += this.bytesRead;
      stats.sent += this.bytesWritten;
    };
  }

  /** The listener closed: nothing open on it any more. */
  closed(): void {
    this.probe = () => NO_CONNECTIONS;
  }

  protocolError(status: number): void {
    this.protocolErrors.set(status, (this.protocolErrors.get(status) ?? 0) + 1);
  }
}
