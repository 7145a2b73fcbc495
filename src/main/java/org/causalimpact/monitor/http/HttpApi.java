package org.causalimpact.monitor.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.causalimpact.monitor.live.MonitorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor's HTTP server, the JDK's {@link HttpServer}: the JSON API under {@code /api} ({@link
 * ApiRoutes}), the operational endpoints ({@link OpsRoutes}) and the live page and its assets
 * ({@link StaticFiles}) everywhere else. Every answer goes through one request/response layer
 * ({@link Exchanges}).
 *
 * <p>Thread-safe: requests run on a small pool of daemon threads.
 */
public final class HttpApi implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);

  /** Largest request body accepted. */
  public static final int MAX_BODY_BYTES = ApiRoutes.MAX_BODY_BYTES;

  private static final int THREADS = 4;

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

  private final HttpServer server;
  private final ExecutorService executor;

  private HttpApi(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Starts the API on {@code bind} without a token and without the operational endpoints. */
  public static HttpApi start(MonitorService service, InetSocketAddress bind) throws IOException {
    return start(service, bind, null, null);
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
   * @throws IOException when the address cannot be bound
   */
  public static HttpApi start(
      MonitorService service, InetSocketAddress bind, String bearerToken, Ops ops)
      throws IOException {
    Objects.requireNonNull(service, "service");
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
    ApiRoutes api = new ApiRoutes(service, bearerToken);
    StaticFiles page = StaticFiles.fromClasspath();
    server.createContext("/", ex -> handle(ex, api, page));
    if (ops != null) {
      OpsRoutes.register(server, ops.metrics(), ops.ready());
    }
    server.setExecutor(executor);
    server.start();
    LOG.info(
        "JSON API on http://{}:{}/api/monitors",
        server.getAddress().getAddress().getHostAddress(),
        server.getAddress().getPort());
    return new HttpApi(server, executor);
  }

  private static void handle(HttpExchange ex, ApiRoutes api, StaticFiles page) {
    String rawPath = ex.getRequestURI().getRawPath();
    if (rawPath != null && (rawPath.equals("/api") || rawPath.startsWith("/api/"))) {
      Exchanges.serve(ex, api::route);
    } else {
      // the live page and its assets are not JSON
      page.handle(ex);
    }
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
}
