package org.causalimpact.monitor.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Prometheus server, started as a child process on 127.0.0.1 with a temporary TSDB, and a
 * client of its HTTP API ({@code /api/v1/...}). {@link #close} stops it through its process
 * handle.
 */
final class PrometheusServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ChildProcess process;
  private final URI base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private PrometheusServer(ChildProcess process, URI base) {
    this.process = process;
    this.base = base;
  }

  /**
   * Starts {@code binary} with {@code config}, storing samples under {@code dir}, and waits until
   * it answers {@code /-/ready}.
   */
  static PrometheusServer start(Path binary, Path config, Path dir, Duration timeout)
      throws IOException, InterruptedException {
    int port = PrometheusTools.freePort();
    URI base = URI.create("http://127.0.0.1:" + port);
    ChildProcess process =
        ChildProcess.start(
            "prometheus", dir, timeout, base + "/-/ready",
            binary.toString(),
            "--config.file=" + config,
            "--storage.tsdb.path=" + dir.resolve("tsdb"),
            "--web.listen-address=127.0.0.1:" + port);
    return new PrometheusServer(process, base);
  }

  /** What the server has logged so far. */
  String log() {
    return process.log();
  }

  /**
   * {@code GET path?params} of the HTTP API; the {@code data} member of a successful answer.
   *
   * @param params name, value, name, value, ...
   * @throws PromQlException when Prometheus answers with {@code "status": "error"}
   */
  JsonNode api(String path, String... params) throws IOException, InterruptedException {
    StringBuilder query = new StringBuilder();
    for (int i = 0; i + 1 < params.length; i += 2) {
      query.append(query.length() == 0 ? "?" : "&")
          .append(URLEncoder.encode(params[i], StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(params[i + 1], StandardCharsets.UTF_8));
    }
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve(path + query)).timeout(Duration.ofSeconds(10)).GET()
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(response.body());
    if (!"success".equals(body.path("status").asText())) {
      throw new PromQlException(
          response.statusCode() + " " + body.path("errorType").asText() + ": "
              + body.path("error").asText());
    }
    return body.get("data");
  }

  /**
   * The series (or scalar) an instant query returns now: one element per series of a vector, one
   * for a scalar or string.
   */
  List<JsonNode> query(String expr) throws IOException, InterruptedException {
    return result(api("/api/v1/query", "query", expr));
  }

  /** The same at {@code time} (Unix seconds) instead of now. */
  List<JsonNode> query(String expr, double time) throws IOException, InterruptedException {
    return result(api("/api/v1/query", "query", expr, "time", Double.toString(time)));
  }

  private static List<JsonNode> result(JsonNode data) {
    List<JsonNode> series = new ArrayList<>();
    switch (data.path("resultType").asText()) {
      case "vector", "matrix" -> data.get("result").forEach(series::add);
      default -> series.add(data.get("result"));
    }
    return series;
  }

  /** The values of {@code label} over the series that {@code match} selects. */
  List<String> labelValues(String label, String match) throws IOException, InterruptedException {
    JsonNode data =
        match == null
            ? api("/api/v1/label/" + label + "/values")
            : api("/api/v1/label/" + label + "/values", "match[]", match);
    List<String> values = new ArrayList<>();
    data.forEach(v -> values.add(v.asText()));
    return values;
  }

  /** Stops the server (SIGTERM, then SIGKILL after 10 s). */
  @Override
  public void close() {
    process.close();
  }

  /** Prometheus rejected a request (a PromQL syntax error, an unknown function, ...). */
  static final class PromQlException extends IOException {
    private static final long serialVersionUID = 1L;

    PromQlException(String message) {
      super(message);
    }
  }
}
