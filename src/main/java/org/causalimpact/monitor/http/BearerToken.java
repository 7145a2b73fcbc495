package org.causalimpact.monitor.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import org.eclipse.jetty.server.Request;

/**
 * The token POST endpoints require in {@code Authorization: Bearer <token>} when one is set,
 * compared in constant time. Immutable and thread-safe.
 */
final class BearerToken {
  private static final String PREFIX = "bearer ";

  private final byte[] token;

  /** @param token the token, or {@code null} for none (every request passes) */
  BearerToken(String token) {
    this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Passes a request with the token (or any request when no token is set).
   *
   * @throws ApiError 401 with {@code WWW-Authenticate} when the header is missing or wrong
   */
  void check(Request request) {
    if (token == null) {
      return;
    }
    String header = request.getHeaders().get("Authorization");
    boolean ok =
        header != null
            && header.length() > PREFIX.length()
            && header.substring(0, PREFIX.length()).toLowerCase(Locale.ROOT).equals(PREFIX)
            && MessageDigest.isEqual(
                header.substring(PREFIX.length()).strip().getBytes(StandardCharsets.UTF_8), token);
    if (!ok) {
      throw ApiError.of(
              401,
              header == null
                  ? "this endpoint needs the header Authorization: Bearer <token>"
                  : "the bearer token is not valid")
          .withHeader("WWW-Authenticate", "Bearer realm=\"causal-impact-monitor\"");
    }
  }
}
