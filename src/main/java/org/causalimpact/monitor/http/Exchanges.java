package org.causalimpact.monitor.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.live.StoresUnavailableException;
import org.causalimpact.monitor.wire.ApiViews;
import org.causalimpact.monitor.wire.Json;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one request/response layer of the server: a handler returns an {@link Answer}, and {@link
 * #serve} writes it (HEAD: the headers only), turns errors into their JSON answers ({@link
 * ApiError} as it says, stores not readable yet 503, anything else 500 with the stack trace only in
 * the log) and completes the exchange. Request bodies are read within a limit ({@link #body}),
 * paths split into decoded segments ({@link #segments}). Stateless and thread-safe.
 */
final class Exchanges {
  private static final Logger LOG = LoggerFactory.getLogger(Exchanges.class);

  static final String JSON = "application/json; charset=utf-8";

  /**
   * Body bytes beyond the limit read and discarded before a 413, so that the client sees the
   * response: a connection closed with unread bytes is reset, and the reset can discard the
   * response before the client reads it ({@code RemoteWritePostsTest} lost one that way when only
   * 1 MiB of a body 4 MiB over the limit was read).
   */
  private static final int DRAIN_BYTES = 1 << 20;

  private Exchanges() {}

  /** What a handler answers. */
  @FunctionalInterface
  interface Handler {
    Answer handle(Request request) throws IOException;
  }

  /**
   * A response.
   *
   * @param headers set after the defaults ({@code Cache-Control: no-store}, {@code
   *     X-Content-Type-Options: nosniff}), so a handler may replace them
   */
  record Answer(int status, String contentType, byte[] body, Map<String, String> headers) {
    /** A JSON body, one of the API's views, written by the one mapper. */
    static Answer json(int status, Object view, Map<String, String> headers) {
      try {
        return new Answer(status, JSON, Json.MAPPER.writeValueAsBytes(view), headers);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write a response body", e);
      }
    }

    static Answer ok(Object view) {
      return json(200, view, Map.of());
    }

    static Answer text(int status, String contentType, String text) {
      return new Answer(status, contentType, text.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** {@code {"error": message}}, plus {@code "field"} when one body field is at fault. */
    static Answer error(int status, String message, String field, Map<String, String> headers) {
      return json(status, new ApiViews.Error(message, field), headers);
    }
  }

  /** A Jetty handler that answers every exchange it gets by {@code handler} ({@link #serve}). */
  static org.eclipse.jetty.server.Handler handler(Handler handler) {
    return new org.eclipse.jetty.server.Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        return serve(request, response, callback, handler);
      }
    };
  }

  /** Answers one exchange and completes its callback; never throws. */
  static boolean serve(Request request, Response response, Callback callback, Handler handler) {
    Answer answer;
    try {
      answer = handler.handle(request);
    } catch (ApiError e) {
      answer =
          Answer.json(
              e.status(), new ApiViews.Error(e.getMessage(), e.field(), e.reason()), e.headers());
    } catch (StoresUnavailableException e) {
      LOG.debug("{} {}: {}", request.getMethod(), rawPath(request), e.toString());
      answer =
          Answer.error(
              503, e.getMessage() + "; try again shortly", null, Map.of("Retry-After", "1"));
    } catch (RuntimeException | IOException e) {
      LOG.error("{} {} failed", request.getMethod(), rawPath(request), e);
      answer =
          Answer.error(
              500,
              "internal error (" + e.getClass().getSimpleName() + "); see the server log",
              null,
              Map.of());
    }
    if (answer.status() >= 400) {
      discardBody(request);
    }
    send(request, response, callback, answer);
    return true;
  }

  /**
   * Reads and discards what is left of the request's body (at most {@link #DRAIN_BYTES}) before
   * an error answer. A request may be refused (401, 404, 405, ...) before its body has arrived;
   * the server then closes the connection after the answer, and a client that has not seen the
   * close sends its next request on it and gets no answer ({@code InterventionsOverHttpIT} lost a
   * POST that way, "HTTP/1.1 header parser received no bytes", right after two 401s).
   */
  private static void discardBody(Request request) {
    if (request.getLength() == 0) {
      return;
    }
    try {
      drain(Content.Source.asInputStream(request), DRAIN_BYTES);
    } catch (IOException e) {
      LOG.debug("{} {}: body not read to its end: {}", request.getMethod(), rawPath(request), e);
    }
  }

  /**
   * Writes an answer: status, headers and, unless the request is HEAD, the body; completes the
   * callback when it is written (or fails it when the client has gone).
   */
  static void send(Request request, Response response, Callback callback, Answer a) {
    var h = response.getHeaders();
    response.setStatus(a.status());
    h.put("Content-Type", a.contentType());
    h.put("Cache-Control", "no-store");
    h.put("X-Content-Type-Options", "nosniff");
    a.headers().forEach(h::put);
    if (request.getMethod().equals("HEAD")) {
      h.put("Content-Length", Integer.toString(a.body().length));
      response.write(true, null, callback);
      return;
    }
    response.write(true, ByteBuffer.wrap(a.body()), callback);
  }

  /** The request's path as sent, still percent-encoded, without the query. */
  static String rawPath(Request request) {
    return request.getHttpURI().getPath();
  }

  /** 405 unless the request's method is one of {@code allowed}. */
  static void requireMethod(Request request, String... allowed) {
    String method = request.getMethod();
    for (String a : allowed) {
      if (a.equals(method)) {
        return;
      }
    }
    throw ApiError.of(
            405, "method " + method + " is not allowed here; use " + String.join(" or ", allowed))
        .withHeader("Allow", String.join(", ", allowed));
  }

  /**
   * The request body, at most {@code limit} bytes.
   *
   * @throws ApiError 413 for a larger body (read and discarded up to 1 MiB first)
   */
  static byte[] body(Request request, int limit) throws IOException {
    long declared = request.getLength();
    InputStream in = Content.Source.asInputStream(request);
    if (declared > limit) {
      drain(in, (long) limit + DRAIN_BYTES);
      throw tooLarge(limit);
    }
    byte[] body = in.readNBytes(limit + 1);
    if (body.length > limit) {
      drain(in, DRAIN_BYTES);
      throw tooLarge(limit);
    }
    return body;
  }

  private static ApiError tooLarge(int limit) {
    return ApiError.of(413, "the request body is larger than " + limit + " bytes");
  }

  private static void drain(InputStream in, long most) throws IOException {
    byte[] buf = new byte[8192];
    long total = 0;
    int n;
    while (total < most && (n = in.read(buf)) > 0) {
      total += n;
    }
  }

  /** Path segments, percent-decoded one by one (so an encoded "/" stays inside its segment). */
  static List<String> segments(String rawPath) {
    List<String> out = new ArrayList<>();
    String p = rawPath == null ? "" : rawPath;
    String[] parts = p.split("/", -1);
    for (int i = 0; i < parts.length; i++) {
      String s = parts[i];
      boolean edge = i == 0 || i == parts.length - 1;
      if (s.isEmpty() && edge) {
        continue;
      }
      try {
        out.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw ApiError.of(400, "the path segment '" + s + "' has an invalid %-escape");
      }
    }
    return out;
  }
}
