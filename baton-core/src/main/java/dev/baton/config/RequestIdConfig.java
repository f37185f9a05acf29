package dev.baton.config;

/**
 * {@code server.request-id}: the header a request's id travels in (read from the
 * client, sent upstream and back, on Baton's own answers and in the logs), and what
 * happens to a client's id outside {@code [A-Za-z0-9._-]{1,100}}: refused with a 400
 * ({@code reject}, the default), or {@code replace}d by a new one, for clients whose
 * tracing ids hold {@code =}, {@code :} or {@code ;} (AWS's {@code Root=1-...}).
 *
 * @param name the header's name as the config writes it, for messages
 * @param header the same, lower-case, as it goes on the wire (HTTP/2 wants it so)
 * @param replaceInvalid true to replace an invalid id, false to refuse the request
 */
public record RequestIdConfig(String name, String header, boolean replaceInvalid) {
    public static final RequestIdConfig DEFAULT = new RequestIdConfig("X-Request-ID", "x-request-id", false);
}
