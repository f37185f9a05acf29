/**
 * Security checks without I/O: IP lists, JWT verification (shared secret, Ed25519,
 * JWKS), callers and their roles, origins, and the counts of requests refused for
 * security reasons.
 */
@NullMarked
package dev.baton.security;

import org.jspecify.annotations.NullMarked;
