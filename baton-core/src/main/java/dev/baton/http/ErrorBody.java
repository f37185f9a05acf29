package dev.baton.http;

/**
 * Baton's JSON error, the one body every refusal has, on the proxy port and the
 * admin API alike: {@code {"status","error","message","requestId"}}, {@code error}
 * a stable code named for the status. Messages are ours, never an exception's text
 * or a stack trace.
 */
public final class ErrorBody {
    private ErrorBody() {}

    /** The JSON error body alone. */
    public static String json(int status, String message, String requestId) {
        return "{\"status\":" + status + ",\"error\":\"" + code(status) + "\",\"message\":" + quote(message)
                + ",\"requestId\":" + quote(requestId) + "}";
    }

    /** The stable code for a status: {@code bad_request}, {@code too_many_requests}... */
    public static String code(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 408 -> "request_timeout";
            case 409 -> "conflict";
            case 411 -> "length_required";
            case 413 -> "payload_too_large";
            case 414 -> "uri_too_long";
            case 415 -> "unsupported_media_type";
            case 421 -> "misdirected_request";
            case 429 -> "too_many_requests";
            case 431 -> "header_fields_too_large";
            case 500 -> "internal_error";
            case 502 -> "bad_gateway";
            case 503 -> "service_unavailable";
            case 504 -> "gateway_timeout";
            case 505 -> "http_version_not_supported";
            default -> "error";
        };
    }

    /** {@code s} as a JSON string literal. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
