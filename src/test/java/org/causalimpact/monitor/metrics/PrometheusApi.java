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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A client of a Prometheus server's HTTP API ({@code /api/v1/...}) at {@code base}, e.g. {@code
 * http://127.0.0.1:9090}: one started by a test ({@link PrometheusServer}) or one in a container.
 */
class PrometheusApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  PrometheusApi(URI base) {
    this.base = base;
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

  /** Prometheus rejected a request (a PromQL syntax error, an unknown function, ...). */
  static final class PromQlException extends IOException {
    private static final long serialVersionUID = 1L;

    PromQlException(String message) {
      super(message);
    }
  }
}
