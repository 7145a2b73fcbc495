package org.causalimpact.monitor.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.live.InterventionStatus;
import org.causalimpact.monitor.live.MonitorService;
import org.causalimpact.monitor.live.MonitorStatus;
import org.eclipse.jetty.server.Request;

/**
 * The JSON API's routes over {@link MonitorService}:
 *
 * <ul>
 *   <li>{@code GET /api/monitors}: every monitor with its step, pre-window, nodes, last closed row
 *       and active interventions;
 *   <li>{@code GET /api/monitors/{m}}: graph, settings, the fit of the live model on the last
 *       {@code preWindow} rows (per node R², sigma, terms and coefficients, and long-run effects;
 *       {@code "fit": null} with {@code "fitUnavailable"} when the rows cannot support it), and the
 *       interventions;
 *   <li>{@code GET /api/monitors/{m}/interventions/{id}}: the intervention's status and the {@code
 *       analyze} report (schema 1) of its rows so far ({@code "report": null} with {@code
 *       "reportUnavailable"} before its first post-period row closes);
 *   <li>{@code POST /api/monitors/{m}/whatif}: a what-if forecast on the last {@code preWindow}
 *       rows ({@link WhatIfRequest} describes the body); changes no state.
 * </ul>
 *
 * Errors: 400 invalid body, 401 missing or wrong bearer token on a POST (when a token is set), 404
 * unknown path, monitor or intervention, 405 wrong method, 409 the monitor's rows cannot support
 * the model yet, 413 body over {@value #MAX_BODY_BYTES} bytes, 503 another what-if is being
 * computed (with {@code Retry-After}). Thread-safe.
 */
final class ApiRoutes {
  /** Largest request body accepted. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  /**
   * Most bootstrap values per world a what-if may hold ({@code replicates * horizon * outcomes}):
   * each is a double, and both worlds are kept, so this bounds one request to about 100 MB.
   */
  static final long MAX_DRAWS = 5_000_000L;

  private static final Duration WHATIF_WAIT = Duration.ofSeconds(30);

  private final MonitorService service;
  private final byte[] token;

  ApiRoutes(MonitorService service, String token) {
    this.service = service;
    this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
  }

  Exchanges.Answer route(Request request) throws IOException {
    String rawPath = Exchanges.rawPath(request);
    List<String> path = Exchanges.segments(rawPath);
    if (path.size() < 2 || !path.get(0).equals("api") || !path.get(1).equals("monitors")) {
      throw ApiError.notFound("no endpoint " + rawPath + "; the API is under /api/monitors");
    }
    if (path.size() == 2) {
      Exchanges.requireMethod(request, "GET");
      return Exchanges.Answer.ok(service.list());
    }
    String monitor = path.get(2);
    if (path.size() == 3) {
      Exchanges.requireMethod(request, "GET");
      return Exchanges.Answer.ok(service.detail(status(monitor)));
    }
    if (path.size() == 4 && path.get(3).equals("whatif")) {
      Exchanges.requireMethod(request, "POST");
      authorize(request);
      return Exchanges.Answer.ok(whatIf(monitor, request));
    }
    if (path.size() == 5 && path.get(3).equals("interventions")) {
      Exchanges.requireMethod(request, "GET");
      return Exchanges.Answer.ok(intervention(monitor, path.get(4)));
    }
    throw ApiError.notFound("no endpoint " + rawPath + "; see GET /api/monitors");
  }

  private void authorize(Request request) {
    if (token == null) {
      return;
    }
    String header = request.getHeaders().get("Authorization");
    String prefix = "bearer ";
    boolean ok =
        header != null
            && header.length() > prefix.length()
            && header.substring(0, prefix.length()).toLowerCase(Locale.ROOT).equals(prefix)
            && MessageDigest.isEqual(
                header.substring(prefix.length()).strip().getBytes(StandardCharsets.UTF_8), token);
    if (!ok) {
      throw ApiError.of(
              401,
              header == null
                  ? "this endpoint needs the header Authorization: Bearer <token>"
                  : "the bearer token is not valid")
          .withHeader("WWW-Authenticate", "Bearer realm=\"causal-impact-monitor\"");
    }
  }

  private MonitorStatus status(String monitor) {
    return service
        .status(monitor)
        .orElseThrow(
            () -> {
              List<String> names =
                  service.statuses().stream().map(s -> s.definition().name()).toList();
              return ApiError.notFound(
                  "no monitor '" + monitor + "' (monitors: " + String.join(", ", names) + ")");
            });
  }

  private Object intervention(String monitor, String id) {
    MonitorStatus s = status(monitor);
    InterventionStatus known =
        s.interventions().stream()
            .filter(i -> i.id().equals(id))
            .findFirst()
            .orElseThrow(
                () -> {
                  List<String> ids =
                      s.interventions().stream().map(InterventionStatus::id).toList();
                  return ApiError.notFound(
                      "monitor '" + monitor + "' has no intervention '" + id
                          + "' (interventions: " + String.join(", ", ids) + ")");
                });
    return service.intervention(s, known);
  }

  private static ApiError busy(MonitorService.BusyException e) {
    return ApiError.of(503, e.getMessage()).withHeader("Retry-After", "5");
  }

  private Object whatIf(String monitor, Request request) throws IOException {
    MonitorStatus s = status(monitor);
    MonitorDefinition d = s.definition();
    WhatIfRequest req = WhatIfRequest.parse(Exchanges.body(request, MAX_BODY_BYTES), d.graph());
    long draws = (long) d.intervals().replicates() * req.horizon() * req.outcomes().size();
    if (draws > MAX_DRAWS) {
      throw ApiError.badField(
          "horizon",
          String.format(
              Locale.ROOT,
              "%d steps x %d outcomes x %d bootstrap replicates = %d simulated values per world,"
                  + " more than the %d one request may hold: ask for at most %d steps",
              req.horizon(),
              req.outcomes().size(),
              d.intervals().replicates(),
              draws,
              MAX_DRAWS,
              MAX_DRAWS / ((long) d.intervals().replicates() * req.outcomes().size())));
    }
    try {
      return service.whatIf(
          s, req.baseline(), req.scenario(), req.outcomes(), req.horizon(), WHATIF_WAIT);
    } catch (MonitorService.ModelUnavailableException e) {
      throw ApiError.of(409, e.getMessage());
    } catch (MonitorService.BusyException e) {
      throw busy(e);
    }
  }
}
