/** The demo behind {@code baton demo}: a config and the small services it runs. Anything in here may change without notice. */
package dev.baton.server.internal;
