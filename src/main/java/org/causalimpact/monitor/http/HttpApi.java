package org.causalimpact.monitor.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.impact.WhatIf;
import org.causalimpact.monitor.live.InterventionStatus;
import org.causalimpact.monitor.live.MonitorQueries;
import org.causalimpact.monitor.live.MonitorStatus;
import org.causalimpact.monitor.live.StoresUnavailableException;
import org.causalimpact.monitor.metrics.MonitorMeters;
import org.causalimpact.monitor.scm.EquationSummary;
import org.causalimpact.monitor.scm.Explanations;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.ScmFitter;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.wire.ApiJson;
import org.causalimpact.monitor.wire.JsonReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON API over a monitor's live state ({@link MonitorQueries}), served by the JDK's {@link
 * HttpServer}:
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
 *   <li>{@code POST /api/monitors/{m}/whatif}: {@link WhatIf} on the last {@code preWindow} rows
 *       ({@link WhatIfRequest} describes the body); changes no state.
 * </ul>
 *
 * Errors are {@code {"error": message}} (plus {@code "field"} for a bad body field): 400 invalid
 * body, 401 missing or wrong bearer token on a POST (when a token is set), 404 unknown path,
 * monitor or intervention, 405 wrong method, 409 the monitor's rows cannot support the model yet,
 * 413 body over {@value #MAX_BODY_BYTES} bytes, 503 another what-if is being computed, 500
 * anything unexpected (logged with its stack trace, which the response never shows).
 *
 * <p>Thread-safe: requests run on a small pool of daemon threads; what-if computations, which
 * hold every bootstrap path in memory, run one at a time.
 */
public final class HttpApi implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);

  /** Largest request body accepted. */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  /**
   * Most bootstrap values per world a what-if may hold ({@code replicates * horizon * outcomes}):
   * each is a double, and both worlds are kept, so this bounds one request to about 100 MB.
   */
  static final long MAX_DRAWS = 5_000_000L;

  /** Body bytes read and discarded before a 413, so that the client sees the response. */
  private static final int DRAIN_BYTES = 1 << 20;

  private static final int THREADS = 4;
  private static final long WHATIF_WAIT_SECONDS = 30;

  private final HttpServer server;
  private final ExecutorService executor;
  private final MonitorQueries queries;
  private final byte[] token;
  private final Semaphore whatIfs = new Semaphore(1, true);
  private final StaticFiles staticFiles = StaticFiles.fromClasspath();

  private HttpApi(
      HttpServer server, ExecutorService executor, MonitorQueries queries, String token) {
    this.server = server;
    this.executor = executor;
    this.queries = queries;
    this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
  }

  /** Starts the API on {@code bind} without a token: every endpoint is open. */
  public static HttpApi start(MonitorQueries queries, InetSocketAddress bind) throws IOException {
    return start(queries, bind, null);
  }

  /**
   * Starts the API.
   *
   * @param queries the monitors' state
   * @param bind address and port; {@code null} means {@link #loopback(int) loopback(0)}; port 0
   *     picks a free port ({@link #port()})
   * @param bearerToken when not {@code null}, POST endpoints require {@code Authorization: Bearer
   *     <token>}; GET endpoints stay open
   * @throws IOException when the address cannot be bound
   */
  public static HttpApi start(MonitorQueries queries, InetSocketAddress bind, String bearerToken)
      throws IOException {
    return start(queries, bind, bearerToken, null, null);
  }

  /**
   * Starts the API with the operational endpoints {@code /metrics}, {@code /health} and {@code
   * /ready} ({@link OpsEndpoints}).
   *
   * @param meters what {@code /metrics} shows; {@code null} serves none of the three
   * @param ready whether Kafka Streams is running, for {@code /ready}
   */
  public static HttpApi start(
      MonitorQueries queries,
      InetSocketAddress bind,
      String bearerToken,
      MonitorMeters meters,
      java.util.function.BooleanSupplier ready)
      throws IOException {
    java.util.Objects.requireNonNull(queries, "queries");
    if (bearerToken != null
        && (bearerToken.isBlank() || !bearerToken.strip().equals(bearerToken))) {
      throw new IllegalArgumentException(
          "the bearer token must be non-blank without leading or trailing spaces");
    }
    HttpServer server = HttpServer.create(bind == null ? loopback(0) : bind, 0);
    AtomicInteger count = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            THREADS,
            r -> {
              Thread t = new Thread(r, "http-api-" + count.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    HttpApi api = new HttpApi(server, executor, queries, bearerToken);
    server.createContext("/", api::handle);
    if (meters != null) {
      OpsEndpoints.register(server, meters, ready == null ? () -> true : ready);
    }
    server.setExecutor(executor);
    server.start();
    LOG.info(
        "JSON API on http://{}:{}/api/monitors", hostOf(server), server.getAddress().getPort());
    return api;
  }

  /** {@code 127.0.0.1:port}, the default bind address. */
  public static InetSocketAddress loopback(int port) {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  /** The port the server listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** Stops accepting requests, closes open exchanges and stops the threads. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private record Response(int status, ObjectNode body, Map<String, String> headers) {
    static Response ok(ObjectNode body) {
      return new Response(200, body, Map.of());
    }
  }

  private void handle(HttpExchange ex) {
    String rawPath = ex.getRequestURI().getRawPath();
    if (rawPath == null || !(rawPath.equals("/api") || rawPath.startsWith("/api/"))) {
      // the live page and its assets are not JSON: StaticFiles writes and closes the exchange
      staticFiles.handle(ex);
      return;
    }
    Response response;
    try {
      response = route(ex);
    } catch (ApiError e) {
      response = errorResponse(e, ex);
    } catch (StoresUnavailableException e) {
      LOG.debug("{} {}: {}", ex.getRequestMethod(), ex.getRequestURI().getRawPath(), e.toString());
      response =
          new Response(
              503, ApiJson.error(e.getMessage() + "; try again shortly", null),
              Map.of("Retry-After", "1"));
    } catch (RuntimeException | IOException e) {
      LOG.error("{} {} failed", ex.getRequestMethod(), ex.getRequestURI().getRawPath(), e);
      response =
          new Response(
              500,
              ApiJson.error(
                  "internal error (" + e.getClass().getSimpleName() + "); see the server log",
                  null),
              Map.of());
    }
    try {
      send(ex, response);
    } catch (IOException e) {
      LOG.debug("cannot send the response to {}: {}", ex.getRemoteAddress(), e.toString());
    } finally {
      ex.close();
    }
  }

  private static Response errorResponse(ApiError e, HttpExchange ex) {
    Map<String, String> headers = Map.of();
    if (e.status() == 401) {
      headers = Map.of("WWW-Authenticate", "Bearer realm=\"causal-impact-monitor\"");
    } else if (e.status() == 405) {
      headers = Map.of("Allow", allowed(ex.getRequestURI().getRawPath()));
    } else if (e.status() == 503) {
      headers = Map.of("Retry-After", "5");
    }
    return new Response(e.status(), ApiJson.error(e.getMessage(), e.field()), headers);
  }

  private static void send(HttpExchange ex, Response r) throws IOException {
    byte[] bytes = ApiJson.MAPPER.writeValueAsBytes(r.body());
    var h = ex.getResponseHeaders();
    h.set("Content-Type", "application/json; charset=utf-8");
    h.set("Cache-Control", "no-store");
    h.set("X-Content-Type-Options", "nosniff");
    r.headers().forEach(h::set);
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.sendResponseHeaders(r.status(), -1);
      return;
    }
    ex.sendResponseHeaders(r.status(), bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private Response route(HttpExchange ex) throws IOException {
    List<String> path = segments(ex.getRequestURI().getRawPath());
    String method = ex.getRequestMethod();
    if (path.size() < 2 || !path.get(0).equals("api") || !path.get(1).equals("monitors")) {
      throw ApiError.notFound(
          "no endpoint " + ex.getRequestURI().getRawPath() + "; the API is under /api/monitors");
    }
    if (path.size() == 2) {
      requireMethod(method, "GET");
      return Response.ok(list());
    }
    String monitor = path.get(2);
    if (path.size() == 3) {
      requireMethod(method, "GET");
      return Response.ok(monitor(monitor));
    }
    if (path.size() == 4 && path.get(3).equals("whatif")) {
      requireMethod(method, "POST");
      authorize(ex);
      return Response.ok(whatIf(monitor, ex));
    }
    if (path.size() == 5 && path.get(3).equals("interventions")) {
      requireMethod(method, "GET");
      return Response.ok(intervention(monitor, path.get(4)));
    }
    throw ApiError.notFound(
        "no endpoint " + ex.getRequestURI().getRawPath() + "; see GET /api/monitors");
  }

  /** The methods the path accepts, for the {@code Allow} header of a 405. */
  private static String allowed(String rawPath) {
    List<String> path = segments(rawPath);
    return path.size() == 4 && path.get(3).equals("whatif") ? "POST" : "GET";
  }

  private static void requireMethod(String method, String expected) {
    if (!method.equals(expected)) {
      throw ApiError.of(405, "method " + method + " is not allowed here; use " + expected);
    }
  }

  private void authorize(HttpExchange ex) {
    if (token == null) {
      return;
    }
    String header = ex.getRequestHeaders().getFirst("Authorization");
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
              : "the bearer token is not valid");
    }
  }

  private ObjectNode list() {
    ObjectNode root = ApiJson.object();
    root.put("schema", ApiJson.SCHEMA);
    ArrayNode arr = root.putArray("monitors");
    for (MonitorStatus s : queries.monitors()) {
      arr.add(ApiJson.monitorSummary(s));
    }
    return root;
  }

  private MonitorStatus status(String monitor) {
    return queries
        .monitor(monitor)
        .orElseThrow(
            () -> {
              List<String> names =
                  queries.monitors().stream().map(s -> s.definition().name()).toList();
              return ApiError.notFound(
                  "no monitor '" + monitor + "' (monitors: " + String.join(", ", names) + ")");
            });
  }

  private ObjectNode monitor(String name) {
    MonitorStatus s = status(name);
    MonitorDefinition d = s.definition();
    ObjectNode root = ApiJson.object();
    root.put("schema", ApiJson.SCHEMA);
    root.put("name", d.name());
    ApiJson.stepFields(root, d);
    root.put("preWindow", d.preWindow());
    ApiJson.time(root, "lastClosed", s.lastClosed());
    root.put("openSteps", s.openSteps());
    root.set("graph", ApiJson.graph(d));
    root.set("settings", ApiJson.settings(d));
    TimeSeriesTable rows = queries.recentRows(name, d.preWindow()).orElseThrow();
    if (rows.rows() == 0) {
      root.putNull("fit");
      root.put("fitUnavailable", "no complete row has closed yet");
    } else {
      try {
        FittedScm model = ScmFitter.with(d.fit()).fit(d.graph(), rows, 0, rows.rows());
        double[][] observed = ScmFitter.columnsOf(d.graph(), rows);
        ObjectNode fit = root.putObject("fit");
        fit.put("rows", rows.rows());
        fit.put("from", rows.label(0));
        fit.put("to", rows.label(rows.rows() - 1));
        List<EquationSummary> equations = model.summaries();
        fit.set("equations", ApiJson.equations(equations));
        fit.set("effects", ApiJson.effects(Explanations.effects(model, observed, 0, rows.rows())));
        ArrayNode overlaps = fit.putArray("overlapsInterventions");
        overlapping(s, rows.label(0), rows.label(rows.rows() - 1)).forEach(overlaps::add);
      } catch (InputException e) {
        root.putNull("fit");
        root.put(
            "fitUnavailable",
            "the last " + rows.rows() + " complete rows cannot support the model: "
                + e.getMessage());
      }
    }
    ArrayNode ivs = root.putArray("interventions");
    s.interventions().forEach(i -> ivs.add(ApiJson.status(i)));
    return root;
  }

  private ObjectNode intervention(String monitor, String id) {
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
    ObjectNode root = ApiJson.object();
    root.put("schema", ApiJson.SCHEMA);
    root.put("monitor", monitor);
    Optional<MonitorQueries.Impact> impact;
    String unavailable = null;
    try {
      impact = queries.intervention(monitor, id);
      if (impact.isEmpty()) {
        unavailable = "no post-period row has closed yet";
      }
    } catch (InputException e) {
      impact = Optional.empty();
      unavailable = e.getMessage();
    }
    root.set("status", ApiJson.status(impact.map(MonitorQueries.Impact::status).orElse(known)));
    if (impact.isPresent()) {
      root.set("report", JsonReport.tree(impact.get().analysis(), impact.get().table()));
    } else {
      root.putNull("report");
      root.put("reportUnavailable", unavailable);
    }
    return root;
  }

  private ObjectNode whatIf(String monitor, HttpExchange ex) throws IOException {
    MonitorStatus s = status(monitor);
    MonitorDefinition d = s.definition();
    WhatIfRequest req = WhatIfRequest.parse(readBody(ex), d.graph());
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
    TimeSeriesTable history = queries.recentRows(monitor, d.preWindow()).orElseThrow();
    if (history.rows() == 0) {
      throw ApiError.of(409, "monitor '" + monitor + "' has no complete closed row yet");
    }
    WhatIf.Forecast forecast;
    try {
      if (!whatIfs.tryAcquire(WHATIF_WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw ApiError.of(503, "another what-if is being computed; try again shortly");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiError.of(503, "the server is stopping");
    }
    try {
      forecast =
          WhatIf.withDefaults()
              .withFit(d.fit())
              .withIntervals(d.intervals())
              .forecast(
                  d.graph(),
                  history,
                  req.baseline(),
                  req.scenario(),
                  req.outcomes(),
                  req.horizon());
    } catch (InputException e) {
      throw ApiError.of(
          409,
          "the last "
              + history.rows()
              + " complete rows of monitor '"
              + monitor
              + "' cannot support the model: "
              + e.getMessage());
    } finally {
      whatIfs.release();
    }
    String from = history.label(0);
    String to = history.label(history.rows() - 1);
    Instant first = null;
    try {
      first = Instant.parse(to).plus(d.step());
    } catch (DateTimeParseException e) {
      LOG.debug("row label {} is not an instant; what-if steps carry no times", to);
    }
    return ApiJson.whatIf(
        monitor,
        forecast,
        req.horizon(),
        from,
        to,
        first,
        d.step(),
        overlapNotes(s, from, to));
  }

  /** Interventions that ran during rows {@code from..to} (labels as ISO instants). */
  private static List<String> overlapping(MonitorStatus s, String from, String to) {
    List<String> ids = new ArrayList<>();
    try {
      Instant a = Instant.parse(from);
      Instant b = Instant.parse(to);
      for (InterventionStatus i : s.interventions()) {
        if (!i.start().isAfter(b) && (i.end() == null || i.end().isAfter(a))) {
          ids.add(i.id());
        }
      }
    } catch (DateTimeParseException e) {
      return List.of();
    }
    return ids;
  }

  /** A note when interventions ran in the fit window: the model reads their rows as natural. */
  private static List<String> overlapNotes(MonitorStatus s, String from, String to) {
    List<String> ids = overlapping(s, from, to);
    if (ids.isEmpty()) {
      return List.of();
    }
    return List.of(
        "the fit window ("
            + from
            + " .. "
            + to
            + ") overlaps intervention(s) "
            + String.join(", ", ids)
            + ": the model is fitted on their rows as if nothing had been done, so the equations"
            + " of nodes they changed describe the intervened period");
  }

  /**
   * The request body, at most {@value #MAX_BODY_BYTES} bytes.
   *
   * @throws ApiError 413 for a larger body (read and discarded up to 1 MiB first)
   */
  private static byte[] readBody(HttpExchange ex) throws IOException {
    InputStream in = ex.getRequestBody();
    String length = ex.getRequestHeaders().getFirst("Content-Length");
    if (length != null) {
      long declared;
      try {
        declared = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        throw ApiError.badField("body", "Content-Length '" + length + "' is not a number");
      }
      if (declared > MAX_BODY_BYTES) {
        drain(in);
        throw tooLarge();
      }
    }
    byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
    if (body.length > MAX_BODY_BYTES) {
      drain(in);
      throw tooLarge();
    }
    return body;
  }

  private static ApiError tooLarge() {
    return ApiError.of(413, "the request body is larger than " + MAX_BODY_BYTES + " bytes");
  }

  private static void drain(InputStream in) throws IOException {
    byte[] buf = new byte[8192];
    long total = 0;
    int n;
    while (total < DRAIN_BYTES && (n = in.read(buf)) > 0) {
      total += n;
    }
  }

  /** Path segments, percent-decoded one by one (so an encoded "/" stays inside its segment). */
  private static List<String> segments(String rawPath) {
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

  private static String hostOf(HttpServer server) {
    return server.getAddress().getAddress().getHostAddress();
  }
}
