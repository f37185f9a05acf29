/**
 * The HTTP wire as the data plane checks and writes it, with no state of a request:
 * request-line and field syntax, framing ({@code Content-Length}, chunked), path
 * safety, hop-by-hop and forwarded headers, the {@code Date} cache, W3C trace
 * context and the HTTP/2 frame cursor. Internal to the proxy: it may change in any
 * release.
 */
package dev.baton.proxy.internal.http;
