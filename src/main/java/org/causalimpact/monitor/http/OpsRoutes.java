package org.causalimpact.monitor.http;

import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.causalimpact.monitor.wire.ApiViews;
import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.server.handler.PathMappingsHandler;

/**
 * The operational endpoints next to the JSON API: {@code GET /metrics} (Prometheus text format),
 * {@code GET /health} (200 while the process serves) and {@code GET /ready} (200 when Kafka Streams
 * is RUNNING, else 503, so that a load balancer or compose health check waits for it). GET and HEAD
 * only; no token (they expose no write and no input data beyond the meters). They are answered
 * outside the limit on heavy API requests, so API load cannot queue them.
 */
final class OpsRoutes {
  /** The content type of Prometheus' text exposition format 0.0.4. */
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private OpsRoutes() {}

  /** Maps the three paths, exactly (anything below them is not theirs). */
  static void addTo(PathMappingsHandler routes, Supplier<String> metrics, BooleanSupplier ready) {
    endpoint(
        routes, "/metrics", () -> Exchanges.Answer.text(200, PROMETHEUS_TEXT, metrics.get()));
    endpoint(routes, "/health", () -> Exchanges.Answer.ok(new ApiViews.Status("UP")));
    endpoint(
        routes,
        "/ready",
        () -> {
          boolean ok = ready.getAsBoolean();
          return Exchanges.Answer.json(
              ok ? 200 : 503, new ApiViews.Status(ok ? "READY" : "NOT_READY"), Map.of());
        });
  }

  /** A GET and HEAD endpoint at exactly {@code path}. */
  private static void endpoint(
      PathMappingsHandler routes, String path, Supplier<Exchanges.Answer> answer) {
    routes.addMapping(
        PathSpec.from(path),
        Exchanges.handler(
            r -> {
              Exchanges.requireMethod(r, "GET", "HEAD");
              return answer.get();
            }));
  }
}
