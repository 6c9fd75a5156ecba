// Classifies header field names a proxy acts on (hop-by-hop, forwarding, framing) without a regex or a lower-case copy per field.

/** What a proxy does with a request or response field. */
export const enum FieldRole {
  /** Passed on unchanged (unless the Connection field names it). */
  Other,
  /** RFC 9110 §7.6.1: meaningful for one connection only; never forwarded. */
  HopByHop,
  /** Content-Length / Transfer-Encoding: the proxy frames each side itself (RFC 9112 §6). */
  Framing,
  Host,
  /** RFC 9110 §10.1.1: the proxy answers 100-continue itself. */
  Expect,
  Via,
  Forwarded,
  XForwardedFor,
  XForwardedProto,
  XForwardedHost,
  /** Response only: the engine writes its own Date and Server (nginx hides the upstream's too). */
  Date,
  Server,
}

/** `name` equals the lower-case `lower` (same length already checked), ASCII case-insensitively. */
function is(name: string, lower: string): boolean {
  return name === lower || name.toLowerCase() === lower;
}

/**
 * The role of a field name. Switching on the length first means most fields cost one integer
 * compare; only names of a matching length are lower-cased.
 */
export function fieldRole(name: string): FieldRole {
  switch (name.length) {
    case 2:
      return is(name, 'te') ? FieldRole.HopByHop : FieldRole.Other;
    case 3:
      return is(name, 'via') ? FieldRole.Via : FieldRole.Other;
    case 4:
      if (is(name, 'host')) return FieldRole.Host;
      return is(name, 'date') ? FieldRole.Date : FieldRole.Other;
    case 6:
      if (is(name, 'expect')) return FieldRole.Expect;
      return is(name, 'server') ? FieldRole.Server : FieldRole.Other;
    case 7:
      return is(name, 'upgrade') || is(name, 'trailer') ? FieldRole.HopByHop : FieldRole.Other;
    case 9:
      return is(name, 'forwarded') ? FieldRole.Forwarded : FieldRole.Other;
    case 10:
      return is(name, 'connection') || is(name, 'keep-alive')
        ? FieldRole.HopByHop
        : FieldRole.Other;
    case 14:
      return is(name, 'content-length') ? FieldRole.Framing : FieldRole.Other;
    case 15:
      return is(name, 'x-forwarded-for') ? FieldRole.XForwardedFor : FieldRole.Other;
    case 16:
      if (is(name, 'x-forwarded-host')) return FieldRole.XForwardedHost;
      return is(name, 'proxy-connection') ? FieldRole.HopByHop : FieldRole.Other;
    case 17:
      if (is(name, 'transfer-encoding')) return FieldRole.Framing;
      return is(name, 'x-forwarded-proto') ? FieldRole.XForwardedProto : FieldRole.Other;
    case 18:
      return is(name, 'proxy-authenticate') ? FieldRole.HopByHop : FieldRole.Other;
    case 19:
      return is(name, 'proxy-authorization') ? FieldRole.HopByHop : FieldRole.Other;
    default:
      return FieldRole.Other;
  }
}

/**
 * Whether a request field whose name has "_" stays behind. Many servers (CGI, PHP, WSGI, some
 * frameworks) fold "-" and "_" together, so `Transfer_Encoding` or `Content_Length` could reach
 * them as a second framing field, and `X_Forwarded_For` as a forged forwarding field. Like nginx
 * (underscores_in_headers off) all such names are dropped unless `allow`; even then, never one
 * that reads as a field the proxy controls once "_" is "-".
 */
export function dropsUnderscoreName(name: string, allow: boolean): boolean {
  if (!name.includes('_')) return false;
  if (!allow) return true;
  const role = fieldRole(name.replaceAll('_', '-'));
  return role !== FieldRole.Other && role !== FieldRole.Date && role !== FieldRole.Server;
}

/**
 * RFC 9110 §7.6.1: the extra hop-by-hop names a Connection field lists (lower case), or null
 * when it lists none beyond close / keep-alive / upgrade (already hop-by-hop).
 */
export function connectionListedNames(connection: string): string[] | null {
  if (connection === '') return null;
  let names: string[] | null = null;
  for (const item of connection.split(',')) {
    const name = item.trim().toLowerCase();
    if (name === '' || name === 'close' || name === 'keep-alive' || name === 'upgrade') continue;
    (names ??= []).push(name);
  }
  return names;
}

/** The Connection field values of a request, joined ("" when absent). */
export function connectionField(headers: readonly string[]): string {
  let value = '';
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (name.length === 10 && is(name, 'connection')) {
      value = value === '' ? (headers[i + 1] as string) : `${value}, ${headers[i + 1] as string}`;
    }
  }
  return value;
}
