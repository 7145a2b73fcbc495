package org.causalimpact.monitor.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.causalimpact.monitor.ingest.RemoteWriteReceiver;
import org.causalimpact.monitor.live.MonitorService;
import org.eclipse.jetty.compression.gzip.GzipCompression;
import org.eclipse.jetty.compression.server.CompressionConfig;
import org.eclipse.jetty.compression.server.CompressionHandler;
import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor's HTTP server, Jetty (core, no servlets): the JSON API under {@code /api} ({@link
 * ApiRoutes}), the Prometheus remote-write receiver ({@link RemoteWritePosts}), the operational
 * endpoints ({@link OpsRoutes}) and the live page and its assets
 * ({@link StaticFiles}) everywhere else. Every answer goes through one request/response layer
 * ({@link Exchanges}); errors Jetty answers itself are JSON too ({@link JsonErrors}).
 *
 * <p>What keeps it answering under load ({@link Limits}): a connection waiting for bytes holds no
 * thread, and one that sends nothing for the idle timeout is closed, also in the middle of its
 * headers; requests run on a bounded pool of daemon threads; the API requests that compute run a
 * few at a time with a short bounded queue, and the rest are answered 503 with {@code Retry-After}
 * ({@link HeavyRequests}), so that {@code /health}, {@code /ready}, {@code /metrics}, the page and
 * the monitor list always find a thread; past the connection limit the server stops accepting and
 * closes idle connections sooner. Responses of 1 KiB or more are gzipped for clients that accept
 * it; request bodies are never inflated.
 *
 * <p>Thread-safe.
 */
public final class HttpApi implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);

  /** Largest request body accepted. */
  public static final int MAX_BODY_BYTES = ApiRoutes.MAX_BODY_BYTES;

  /** Where Prometheus' {@code remote_write} sends samples. */
  public static final String REMOTE_WRITE_PATH = "/api/v1/write";

  /**
   * How much the server takes on.
   *
   * @param threads most request threads (Jetty's acceptor and selector run on them too)
   * @param idleTimeout a connection that sends nothing for this long is closed, whether between
   *     requests or within one
   * @param maxConnections open connections beyond which no more are accepted until one closes
   * @param heavyConcurrent API requests that compute (fit, report, what-if) run at once
   * @param heavyQueued such requests waiting, without a thread, for their turn
   * @param heavyWait longest wait for a turn before a 503
   */
  public record Limits(
      int threads,
      Duration idleTimeout,
      int maxConnections,
      int heavyConcurrent,
      int heavyQueued,
      Duration heavyWait) {
    public Limits {
      Objects.requireNonNull(idleTimeout, "idleTimeout");
      Objects.requireNonNull(heavyWait, "heavyWait");
      if (heavyConcurrent < 1 || heavyQueued < 0 || threads < heavyConcurrent + 8) {
        throw new IllegalArgumentException(
            "need heavyConcurrent >= 1, heavyQueued >= 0 and threads >= heavyConcurrent + 8 (for"
                + " Jetty's own and the light requests); got threads " + threads
                + ", heavyConcurrent " + heavyConcurrent + ", heavyQueued " + heavyQueued);
      }
      if (maxConnections < 1 || idleTimeout.isNegative() || idleTimeout.isZero()) {
        throw new IllegalArgumentException(
            "need maxConnections >= 1 and a positive idle timeout; got " + maxConnections + ", "
                + idleTimeout);
      }
      if (heavyWait.isNegative() || heavyWait.isZero()) {
        throw new IllegalArgumentException("heavyWait must be positive, got " + heavyWait);
      }
    }

    /**
     * 32 threads, 30 s idle timeout, 1,000 connections, 2 computing requests at once (one per
     * core of a small machine) with 64 more waiting at most 10 s each.
     */
    public static Limits defaults() {
      return new Limits(32, Duration.ofSeconds(30), 1_000, 2, 64, Duration.ofSeconds(10));
    }

    public Limits withIdleTimeout(Duration d) {
      return new Limits(threads, d, maxConnections, heavyConcurrent, heavyQueued, heavyWait);
    }

    public Limits withHeavy(int concurrent, int queued, Duration wait) {
      return new Limits(threads, idleTimeout, maxConnections, concurrent, queued, wait);
    }
  }

  /**
   * What the operational endpoints show.
   *
   * @param metrics the meters in Prometheus' text format, for {@code /metrics}
   * @param ready whether Kafka Streams is running, for {@code /ready}
   */
  public record Ops(Supplier<String> metrics, BooleanSupplier ready) {
    public Ops {
      Objects.requireNonNull(metrics, "metrics");
      Objects.requireNonNull(ready, "ready");
    }
  }

  /** Closing idle connections this soon once the connection limit is reached. */
  private static final Duration IDLE_TIMEOUT_AT_LIMIT = Duration.ofSeconds(2);

  /**
   * Most bytes of heap, and of direct memory, the buffer pool keeps for reuse (Jetty's default is
   * an eighth of the largest heap).
   */
  private static final long POOLED_BYTES = 16L << 20;

  /** Smallest response body worth compressing. */
  private static final int MIN_COMPRESS_BYTES = 1024;

  private final Server server;
  private final ServerConnector connector;

  private HttpApi(Server server, ServerConnector connector) {
    this.server = server;
    this.connector = connector;
  }

  /** Starts the API on {@code bind} without a token and without the operational endpoints. */
  public static HttpApi start(MonitorService service, InetSocketAddress bind) throws IOException {
    return start(service, bind, null, null);
  }

  /** Starts the server with the default {@link Limits}. */
  public static HttpApi start(
      MonitorService service, InetSocketAddress bind, String bearerToken, Ops ops)
      throws IOException {
    return start(service, bind, bearerToken, ops, Limits.defaults());
  }

  /**
   * Starts the server without a producer: intervention posts are answered 503, and there is no
   * remote-write receiver.
   */
  public static HttpApi start(
      MonitorService service,
      InetSocketAddress bind,
      String bearerToken,
      Ops ops,
      Limits limits)
      throws IOException {
    return start(service, bind, bearerToken, ops, limits, null, null);
  }

  /**
   * Starts the server.
   *
   * @param service the monitors' state
   * @param bind address and port; {@code null} means {@link #loopback(int) loopback(0)}; port 0
   *     picks a free port ({@link #port()})
   * @param bearerToken when not {@code null}, POST endpoints require {@code Authorization: Bearer
   *     <token>}; GET endpoints stay open
   * @param ops what {@code /metrics}, {@code /health} and {@code /ready} show; {@code null} serves
   *     none of the three
   * @param limits how much the server takes on
   * @param publisher where {@code POST /api/monitors/{m}/interventions} writes events; {@code
   *     null} answers such posts 503
   * @param remoteWrite what {@code POST /api/v1/write} (Prometheus remote-write, {@link
   *     RemoteWritePosts}) hands its bodies to, under the same bearer token; {@code null} serves
   *     no such endpoint
   * @throws IOException when the address cannot be bound
   */
  public static HttpApi start(
      MonitorService service,
      InetSocketAddress bind,
      String bearerToken,
      Ops ops,
      Limits limits,
      InterventionPublisher publisher,
      RemoteWriteReceiver remoteWrite)
      throws IOException {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(limits, "limits");
    if (bearerToken != null
        && (bearerToken.isBlank() || !bearerToken.strip().equals(bearerToken))) {
      throw new IllegalArgumentException(
          "the bearer token must be non-blank without leading or trailing spaces");
    }
    InetSocketAddress address = bind == null ? loopback(0) : bind;
    QueuedThreadPool threads = new QueuedThreadPool(limits.threads(), 2);
    threads.setName("http-api");
    threads.setDaemon(true);
    Server server =
        new Server(
            threads,
            null,
            new ArrayByteBufferPool(0, 0, -1, -1, POOLED_BYTES, POOLED_BYTES));
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setIdleTimeout(limits.idleTimeout().toMillis());
    ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    connector.setHost(address.getAddress().getHostAddress());
    connector.setPort(address.getPort());
    connector.setIdleTimeout(limits.idleTimeout().toMillis());
    server.addConnector(connector);
    NetworkConnectionLimit connections =
        new NetworkConnectionLimit(limits.maxConnections(), server);
    connections.setEndPointIdleTimeout(IDLE_TIMEOUT_AT_LIMIT.toMillis());
    server.addBean(connections);
    server.setErrorHandler(new JsonErrors());
    // the path mappings need a context, even the root one
    server.setHandler(
        compressed(
            new ContextHandler(
                routes(service, bearerToken, ops, limits, publisher, remoteWrite), "/")));
    try {
      server.start();
    } catch (IOException e) {
      stopQuietly(server);
      throw e;
    } catch (Exception e) {
      stopQuietly(server);
      throw new IOException("cannot start the HTTP server on " + address + ": " + e, e);
    }
    LOG.info(
        "JSON API on http://{}:{}/api/monitors", connector.getHost(), connector.getLocalPort());
    return new HttpApi(server, connector);
  }

  private static Handler routes(
      MonitorService service,
      String bearerToken,
      Ops ops,
      Limits limits,
      InterventionPublisher publisher,
      RemoteWriteReceiver remoteWrite) {
    ApiRoutes api = new ApiRoutes(service, bearerToken, publisher);
    PathMappingsHandler routes = new PathMappingsHandler();
    if (ops != null) {
      OpsRoutes.addTo(routes, ops.metrics(), ops.ready());
    }
    if (remoteWrite != null) {
      RemoteWritePosts posts = new RemoteWritePosts(remoteWrite, new BearerToken(bearerToken));
      // an exact path wins over the /api/* prefix below
      routes.addMapping(PathSpec.from(REMOTE_WRITE_PATH), Exchanges.handler(posts::post));
    }
    Handler apiHandler = Exchanges.handler(api::route);
    routes.addMapping(
        PathSpec.from("/api/*"),
        new HeavyRequests(
            apiHandler, limits.heavyConcurrent(), limits.heavyQueued(), limits.heavyWait()));
    // the live page and its assets are not JSON
    routes.addMapping(PathSpec.from("/"), StaticFiles.fromClasspath());
    return routes;
  }

  private static Handler compressed(Handler next) {
    GzipCompression gzip = new GzipCompression();
    gzip.setMinCompressSize(MIN_COMPRESS_BYTES);
    CompressionHandler compression = new CompressionHandler(next);
    compression.putCompression(gzip);
    compression.putConfiguration(
        "/*", CompressionConfig.builder().defaults().decompressExcludePath("/*").build());
    return compression;
  }

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.debug("cannot stop the HTTP server after a failed start: {}", e.toString());
    }
  }

  /** {@code 127.0.0.1:port}, the default bind address. */
  public static InetSocketAddress loopback(int port) {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  /** The port the server listens on. */
  public int port() {
    return connector.getLocalPort();
  }

  /** The address the server listens on. */
  public InetSocketAddress address() {
    return new InetSocketAddress(connector.getHost(), port());
  }

  /** Stops accepting requests, closes open connections and stops the threads. */
  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("the HTTP server did not stop cleanly: {}", e.toString());
    }
  }
}
