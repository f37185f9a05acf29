/**
 * Test support shared by every module's tests: real upstreams and raw HTTP/1.1 and
 * HTTP/2 clients for hostile cases, a fake clock, free ports, test certificates, and
 * leak detection that fails a test class on any leaked Netty buffer.
 */
@NullMarked
package dev.baton.testing;

import org.jspecify.annotations.NullMarked;
