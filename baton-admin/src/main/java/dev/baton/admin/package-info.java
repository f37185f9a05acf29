/**
 * The admin API: its routes, browser checks, access control and audit log, the event
 * stream, and the OpenAPI document with its readable page. {@link dev.baton.admin.AdminApi}
 * is the entry point; it reads and asks the running gateway through
 * {@link dev.baton.admin.AdminApi.Backend}.
 */
@NullMarked
package dev.baton.admin;

import org.jspecify.annotations.NullMarked;
