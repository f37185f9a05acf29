/**
 * HTTP pieces shared by the proxy and the admin API: Baton's JSON error body, the
 * syntax of header fields, and request ids.
 */
@NullMarked
package dev.baton.http;

import org.jspecify.annotations.NullMarked;
