/** Implementation of the data plane. Anything in here may change without notice. */
package dev.baton.proxy.internal;
