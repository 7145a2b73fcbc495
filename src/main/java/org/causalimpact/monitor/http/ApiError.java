package org.causalimpact.monitor.http;

/**
 * A request the API answers with an error status and a JSON body {@code {"error": message}} (plus
 * {@code "field"} when one field of the request body is at fault). Thrown by request handling and
 * turned into the response by {@link HttpApi}; never escapes the package.
 */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String field;

  private ApiError(int status, String field, String message) {
    super(message, null, false, false);
    this.status = status;
    this.field = field;
  }

  static ApiError of(int status, String message) {
    return new ApiError(status, null, message);
  }

  /** 400 for the body field {@code field} (a dotted path such as {@code scenario.ad_spend}). */
  static ApiError badField(String field, String message) {
    return new ApiError(400, field, field + ": " + message);
  }

  static ApiError notFound(String message) {
    return new ApiError(404, null, message);
  }

  int status() {
    return status;
  }

  /** The body field at fault, or {@code null}. */
  String field() {
    return field;
  }
}
