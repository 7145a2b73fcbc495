package org.causalimpact.monitor.http;

import java.util.Map;

/**
 * A request the server answers with an error status and a JSON body {@code {"error": message}}
 * (plus {@code "field"} when one field of the request body is at fault, {@code "reason"} when the
 * body is an input the stream would dead-letter), and the headers the
 * status calls for ({@code Allow}, {@code WWW-Authenticate}, {@code Retry-After}). Thrown by
 * request handling and turned into the response by {@link Exchanges#serve}; never escapes the
 * package.
 */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String field;
  private final String reason;
  private final transient Map<String, String> headers;

  private ApiError(
      int status, String field, String reason, String message, Map<String, String> headers) {
    super(message, null, false, false);
    this.status = status;
    this.field = field;
    this.reason = reason;
    this.headers = Map.copyOf(headers);
  }

  static ApiError of(int status, String message) {
    return new ApiError(status, null, null, message, Map.of());
  }

  /** 400 for the body field {@code field} (a dotted path such as {@code scenario.ad_spend}). */
  static ApiError badField(String field, String message) {
    return new ApiError(400, field, null, field + ": " + message, Map.of());
  }

  static ApiError notFound(String message) {
    return new ApiError(404, null, null, message, Map.of());
  }

  /**
   * 400 for a body the stream would dead-letter, with the dead letter's {@code reason} word (such
   * as {@code invalid-intervention} or {@code malformed-json}).
   */
  static ApiError refused(String reason, String message) {
    return new ApiError(400, null, reason, message, Map.of());
  }

  /** This error with one more response header. */
  ApiError withHeader(String name, String value) {
    Map<String, String> h = new java.util.HashMap<>(headers);
    h.put(name, value);
    return new ApiError(status, field, reason, getMessage(), h);
  }

  int status() {
    return status;
  }

  /** The body field at fault, or {@code null}. */
  String field() {
    return field;
  }

  /** The dead letter's reason word for a refused body, or {@code null}. */
  String reason() {
    return reason;
  }

  Map<String, String> headers() {
    return headers;
  }
}
