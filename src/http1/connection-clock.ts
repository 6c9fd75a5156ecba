// The deadlines of one HTTP/1.1 connection: what it waits for (a head, a body, the next request), until when, body rate and send time.
import type { ConnectionTimeouts } from '../http/limits.js';
import type { RequestParser } from './request-parser.js';

/** Which deadline the sweeper enforces now. */
export const enum Wait {
  /** A handler is working: no engine deadline. */
  None,
  /** Idle keep-alive: close quietly. */
  Idle,
  /** A request head is arriving: 408 at the deadline (slowloris guard). */
  Head,
  /** A request body is arriving: 408 when it stalls. */
  Body,
}

/**
 * The clock of a connection: its state and the checks, while what happens when a deadline passes
 * is the connection's (Http1Connection extends this). A base class rather than a member object,
 * so an idle connection costs no second object.
 */
export abstract class ConnectionClock {
  #wait = Wait.Idle;
  #deadline = 0;
  /** When the request being read began (its first byte): refused requests are timed from it. */
  #headSince = 0;
  /** Body rate window: when it began (0: not yet, the client awaits 100 Continue) and bytes in it. */
  #rateSince = 0;
  #rateBytes = 0;
  #sendDeadline = 0;

  /** The listener's timeouts now (a reload swaps them). */
  protected abstract get timeouts(): ConnectionTimeouts;

  protected get wait(): Wait {
    return this.#wait;
  }

  /** When the request head now arriving began (ms), or -1 when none is (slowloris candidates). */
  get headStart(): number {
    return this.#wait === Wait.Head ? this.#headSince : -1;
  }

  protected get headSince(): number {
    return this.#headSince;
  }

  /** A request head is due: the header timeout (slowloris) and a refusal's duration run from now. */
  protected waitForHead(): void {
    this.#wait = Wait.Head;
    this.#headSince = Date.now();
    this.#deadline = this.#headSince + this.timeouts.headerMs;
  }

  /** A body follows its head; a client that asked for 100 Continue rightly sends nothing until then. */
  protected waitForBody(now: number, expectContinue: boolean): void {
    this.#wait = Wait.Body;
    this.#deadline = now + this.timeouts.bodyMs;
    this.#rateSince = expectContinue ? 0 : now;
    this.#rateBytes = 0;
  }

  /** Body bytes came: the body timeout starts over; `counted` bytes count towards the minimum rate. */
  protected bodyArrived(now: number, bytes: number, counted: boolean): void {
    this.#deadline = now + this.timeouts.bodyMs;
    if (!counted) return;
    if (this.#rateSince === 0) this.#rateSince = now;
    this.#rateBytes += bytes;
  }

  /** Between requests: the idle keep-alive timeout runs. */
  protected waitIdle(now: number): void {
    this.#wait = Wait.Idle;
    this.#deadline = now + this.timeouts.idleMs;
  }

  /** Shutting down with a grace: an idle connection gets at most `graceMs` more. */
  protected shortenIdle(graceMs: number): void {
    this.#wait = Wait.Idle;
    this.#deadline = Math.min(this.#deadline, Date.now() + graceMs);
  }

  /** A handler is working, or the connection is closing: no request deadline. */
  protected stopWaiting(): void {
    this.#wait = Wait.None;
  }

  /** A write was refused (the client is not reading): the send timeout runs from the first one. */
  onWriteBlocked(): void {
    if (this.#sendDeadline === 0) this.#sendDeadline = Date.now() + this.timeouts.sendMs;
  }

  /** The client read what was waiting: no send deadline. */
  onWriteProgress(): void {
    this.#sendDeadline = 0;
  }

  protected sendExpired(now: number): boolean {
    return this.#sendDeadline !== 0 && now > this.#sendDeadline;
  }

  /** The wait whose deadline has passed at `now`, or Wait.None. */
  protected expiredWait(now: number): Wait {
    return this.#wait === Wait.None || now <= this.#deadline ? Wait.None : this.#wait;
  }

  /**
   * True when a whole rate window passed with fewer body bytes than the minimum (or than what
   * was left of a Content-Length body). Time the handler is not reading (backpressure) does
   * not count against the client: the window starts over.
   */
  protected bodyTooSlow(now: number, parser: RequestParser | null): boolean {
    const timeouts = this.timeouts;
    if (this.#wait !== Wait.Body) return false;
    if (timeouts.minBodyBytes === 0 || this.#rateSince === 0 || parser === null) return false;
    if (parser.paused) {
      this.#rateSince = now;
      this.#rateBytes = 0;
      return false;
    }
    if (now - this.#rateSince < timeouts.bodyRateWindowMs) return false;
    const remaining = parser.remainingBodyBytes;
    const need =
      remaining < 0
        ? timeouts.minBodyBytes
        : Math.min(timeouts.minBodyBytes, this.#rateBytes + remaining);
    if (this.#rateBytes < need) return true;
    this.#rateSince = now;
    this.#rateBytes = 0;
    return false;
  }
}
