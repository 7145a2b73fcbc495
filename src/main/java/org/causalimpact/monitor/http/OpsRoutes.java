package org.causalimpact.monitor.http;

import com.sun.net.httpserver.HttpServer;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.causalimpact.monitor.wire.ApiViews;

/**
 * The operational endpoints next to the JSON API: {@code GET /metrics} (Prometheus text format),
 * {@code GET /health} (200 while the process serves) and {@code GET /ready} (200 when Kafka Streams
 * is RUNNING, else 503, so that a load balancer or compose health check waits for it). GET and HEAD
 * only; no token (they expose no write and no input data beyond the meters).
 */
final class OpsRoutes {
  /** The content type of Prometheus' text exposition format 0.0.4. */
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private OpsRoutes() {}

  /** Adds the three contexts to {@code server} (before it starts). */
  static void register(HttpServer server, Supplier<String> metrics, BooleanSupplier ready) {
    endpoint(
        server, "/metrics", () -> Exchanges.Response.text(200, PROMETHEUS_TEXT, metrics.get()));
    endpoint(server, "/health", () -> Exchanges.Response.ok(new ApiViews.Status("UP")));
    endpoint(
        server,
        "/ready",
        () -> {
          boolean ok = ready.getAsBoolean();
          return Exchanges.Response.json(
              ok ? 200 : 503, new ApiViews.Status(ok ? "READY" : "NOT_READY"), Map.of());
        });
  }

  /** A GET and HEAD endpoint at exactly {@code path}. */
  private static void endpoint(
      HttpServer server, String path, Supplier<Exchanges.Response> answer) {
    server.createContext(
        path,
        ex ->
            Exchanges.serve(
                ex,
                e -> {
                  only(e.getRequestURI().getPath(), path);
                  Exchanges.requireMethod(e, "GET", "HEAD");
                  return answer.get();
                }));
  }

  /** A context matches its path's prefix: anything below it is not an endpoint. */
  private static void only(String path, String endpoint) {
    if (!path.equals(endpoint)) {
      throw ApiError.notFound("no endpoint " + endpoint + "/...");
    }
  }
}
