package org.causalimpact.monitor.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import org.causalimpact.monitor.metrics.MonitorMeters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operational endpoints next to the JSON API: {@code GET /metrics} (Prometheus text format),
 * {@code GET /health} (200 while the process serves) and {@code GET /ready} (200 when Kafka Streams
 * is RUNNING, else 503, so that a load balancer or compose health check waits for it). GET and HEAD
 * only; no token (they expose no write and no input data beyond the meters).
 */
final class OpsEndpoints {
  private static final Logger LOG = LoggerFactory.getLogger(OpsEndpoints.class);

  /** The content type of Prometheus' text exposition format 0.0.4. */
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private OpsEndpoints() {}

  /** Adds the three contexts to {@code server} (before it starts). */
  static void register(HttpServer server, MonitorMeters meters, BooleanSupplier ready) {
    server.createContext(
        "/metrics", ex -> answer(ex, "/metrics", 200, PROMETHEUS_TEXT, () -> meters.scrape()));
    server.createContext(
        "/health", ex -> answer(ex, "/health", 200, "application/json", () -> "{\"status\":\"UP\"}"));
    server.createContext(
        "/ready",
        ex -> {
          boolean ok = ready.getAsBoolean();
          answer(
              ex,
              "/ready",
              ok ? 200 : 503,
              "application/json",
              () -> ok ? "{\"status\":\"READY\"}" : "{\"status\":\"NOT_READY\"}");
        });
  }

  private interface Body {
    String get();
  }

  private static void answer(HttpExchange ex, String path, int status, String type, Body body)
      throws IOException {
    try (ex) {
      if (!ex.getRequestURI().getPath().equals(path)) {
        send(ex, 404, "application/json", "{\"error\":\"no endpoint " + path + "/...\"}");
        return;
      }
      String method = ex.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        send(ex, 405, "application/json", "{\"error\":\"method " + method + " is not allowed\"}");
        return;
      }
      String text;
      try {
        text = body.get();
      } catch (RuntimeException e) {
        LOG.error("GET {} failed", path, e);
        send(ex, 500, "application/json", "{\"error\":\"internal error; see the server log\"}");
        return;
      }
      send(ex, status, type, text);
    }
  }

  private static void send(HttpExchange ex, int status, String type, String text)
      throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
