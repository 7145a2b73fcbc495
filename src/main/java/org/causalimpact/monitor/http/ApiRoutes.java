package org.causalimpact.monitor.http;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.io.InterventionIds;
import org.causalimpact.monitor.live.InterventionStatus;
import org.causalimpact.monitor.live.MonitorService;
import org.causalimpact.monitor.live.MonitorStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

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
 *   <li>{@code GET /api/monitors/{m}/interventions}: the interventions the monitor knows, each
 *       with its state, times, actions, outcomes and steps reported (as in the monitor's detail,
 *       without its fit);
 *   <li>{@code GET /api/monitors/{m}/interventions/{id}[?since=S][&limit=L]}: the intervention's
 *       status and the {@code analyze} report (schema 1) of its rows so far, its summaries whole
 *       and its series one page long: the steps after step {@code S} (default 0), at most {@code
 *       L} (default {@value #DEFAULT_PAGE}, at most {@value #MAX_PAGE}), described by {@code
 *       "page"} ({@code "report": null} with {@code "reportUnavailable"} before its first
 *       post-period row closes);
 *   <li>{@code GET /api/monitors/{m}/interventions/{id}/pre-period[?since=S][&limit=L]}: the
 *       pre-period rows of that report, per outcome the observed value and the fitted model's
 *       in-sample one-step-ahead prediction, paged the same way over rows ({@link
 *       org.causalimpact.monitor.wire.PrePeriodView});
 *   <li>{@code POST /api/monitors/{m}/whatif}: a what-if forecast on the last {@code preWindow}
 *       rows ({@link WhatIfRequest} describes the body); changes no state;
 *   <li>{@code POST /api/monitors/{m}/interventions}: starts or ends an intervention by writing
 *       the event to the interventions topic ({@link InterventionPosts}); 202 with the event as
 *       written.
 * </ul>
 *
 * A monitor name in a path is 1 to {@value #MAX_NAME} characters of {@code [A-Za-z0-9._-]}, an
 * intervention id follows the rule of {@link InterventionIds}; percent-encoded or not.
 *
 * <p>Errors: 400 invalid body, name, id or query parameter, 401 missing or wrong bearer token on a
 * POST (when a token is set), 404 unknown path, monitor or intervention, 405 wrong method, 409 the
 * monitor's rows cannot support the model yet, 413 body over {@value #MAX_BODY_BYTES} bytes, 503
 * another what-if or report is being computed (with {@code Retry-After}), or no Kafka producer to
 * write an intervention to, or Kafka did not take it. Thread-safe.
 */
final class ApiRoutes {
  /** Largest request body accepted. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  /**
   * Most bootstrap values per world a what-if may hold ({@code replicates * horizon * outcomes}):
   * each is a double, and both worlds are kept, so this bounds one request to about 100 MB.
   */
  static final long MAX_DRAWS = 5_000_000L;

  /** Steps of an intervention's series in one response unless {@code limit} says otherwise. */
  static final int DEFAULT_PAGE = 500;

  /** Most steps of an intervention's series in one response. */
  static final int MAX_PAGE = 2_000;

  /** Longest monitor name or intervention id in a path. */
  static final int MAX_NAME = 128;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_NAME + "}");
  private static final Set<String> PAGE_PARAMETERS = Set.of("since", "limit");
  /**
   * How long a request waits, inside its computing slot, for another what-if or report analysis:
   * as long as it may wait for the slot itself, so that waiting what-ifs do not keep reports out.
   */
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final MonitorService service;
  private final BearerToken token;
  private final InterventionPosts posts;

  ApiRoutes(MonitorService service, String token, InterventionPublisher publisher) {
    this.service = service;
    this.token = new BearerToken(token);
    this.posts = new InterventionPosts(publisher, Clock.systemUTC());
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
    String monitor = name(path.get(2), "monitor name");
    if (path.size() == 3) {
      Exchanges.requireMethod(request, "GET");
      return Exchanges.Answer.ok(service.detail(status(monitor)));
    }
    if (path.size() == 4 && path.get(3).equals("whatif")) {
      Exchanges.requireMethod(request, "POST");
      token.check(request);
      return Exchanges.Answer.ok(whatIf(monitor, request));
    }
    if (path.size() == 4 && path.get(3).equals("interventions")) {
      Exchanges.requireMethod(request, "POST", "GET");
      if (request.getMethod().equals("GET")) {
        return Exchanges.Answer.ok(service.interventions(status(monitor)));
      }
      token.check(request);
      return posts.post(status(monitor).definition(), request);
    }
    if (path.size() == 5 && path.get(3).equals("interventions")) {
      Exchanges.requireMethod(request, "GET");
      return Exchanges.Answer.ok(
          intervention(monitor, interventionId(path.get(4)), request, false));
    }
    if (path.size() == 6 && path.get(3).equals("interventions")
        && path.get(5).equals("pre-period")) {
      Exchanges.requireMethod(request, "GET");
      return Exchanges.Answer.ok(
          intervention(monitor, interventionId(path.get(4)), request, true));
    }
    throw ApiError.notFound("no endpoint " + rawPath + "; see GET /api/monitors");
  }

  /** A monitor name or intervention id from the path, checked. */
  static String name(String segment, String what) {
    if (!NAME.matcher(segment).matches()) {
      String shown = segment.length() <= 40 ? segment : segment.substring(0, 37) + "...";
      throw ApiError.of(
          400,
          "the " + what + " in the path must be 1 to " + MAX_NAME
              + " characters of A-Z, a-z, 0-9, '.', '_' or '-'; got '" + shown + "' ("
              + segment.length() + " characters)");
    }
    return segment;
  }

  /** An intervention id from the path, checked against the ids the stream accepts. */
  static String interventionId(String segment) {
    if (!InterventionIds.isValid(segment)) {
      String shown = segment.length() <= 40 ? segment : segment.substring(0, 37) + "...";
      throw ApiError.of(
          400,
          "the intervention id in the path must be " + InterventionIds.RULE + "; got '" + shown
              + "' (" + segment.length() + " characters)");
    }
    return segment;
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

  /** The intervention's report, or with {@code prePeriod} its pre-period rows, one page. */
  private Object intervention(String monitor, String id, Request request, boolean prePeriod) {
    Fields query = Request.extractQueryParameters(request);
    for (String p : query.getNames()) {
      if (!PAGE_PARAMETERS.contains(p)) {
        throw ApiError.of(400, "unknown query parameter '" + p + "'; use since and limit");
      }
    }
    int since = integer(query, "since", 0, 0, Integer.MAX_VALUE);
    int limit = integer(query, "limit", DEFAULT_PAGE, 1, MAX_PAGE);
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
    try {
      return prePeriod
          ? service.prePeriod(s, known, since, limit, WAIT)
          : service.intervention(s, known, since, limit, WAIT);
    } catch (MonitorService.BusyException e) {
      throw busy(e);
    }
  }

  /** Query parameter {@code name}, an integer in {@code min..max}, or {@code fallback}. */
  private static int integer(Fields query, String name, int fallback, int min, int max) {
    List<String> values = query.getValuesOrEmpty(name);
    if (values.isEmpty()) {
      return fallback;
    }
    if (values.size() > 1) {
      throw ApiError.of(
          400, "the query parameter " + name + " is given " + values.size() + " times");
    }
    String text = values.get(0);
    long v;
    try {
      v = Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw ApiError.of(
          400,
          name + " must be an integer in " + min + ".." + max + ", got '"
              + (text.length() <= 20 ? text : text.substring(0, 17) + "...") + "'");
    }
    if (v < min || v > max) {
      throw ApiError.of(400, name + " must be in " + min + ".." + max + ", got " + v);
    }
    return (int) v;
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
          s, req.baseline(), req.scenario(), req.outcomes(), req.horizon(), WAIT);
    } catch (MonitorService.ModelUnavailableException e) {
      throw ApiError.of(409, e.getMessage());
    } catch (MonitorService.BusyException e) {
      throw busy(e);
    }
  }
}
