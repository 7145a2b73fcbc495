package org.causalimpact.monitor.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.causalimpact.monitor.live.MonitorService;
import org.causalimpact.monitor.testing.CampaignStores;
import org.causalimpact.monitor.wire.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /api/monitors/{m}/interventions} on a server built without Kafka (stores of a {@code
 * TopologyTestDriver}, {@link CampaignStores}): the token is checked first, and a server with no
 * producer says so with 503 instead of accepting an event it cannot write. The events it writes
 * are tested on a real broker ({@code InterventionsOverHttpIT}).
 */
class InterventionPostsTest {
  private static final String PATH = "/api/monitors/validation/interventions";
  private static final String BODY =
      "{\"id\":\"c\",\"timestamp\":0,\"do\":{\"x\":{\"shift\":1.0}}}";

  @TempDir Path tmp;

  @Test
  void withoutAProducerAPostIs503AfterTheTokenCheck() throws Exception {
    try (CampaignStores stores = new CampaignStores(tmp);
        HttpApi api =
            HttpApi.start(
                new MonitorService(stores.queries()), HttpApi.loopback(0), "t0ken", null)) {
      HttpClient http = HttpClient.newHttpClient();
      assertEquals(401, post(http, api, null).statusCode());
      HttpResponse<String> r = post(http, api, "Bearer t0ken");
      assertEquals(503, r.statusCode());
      JsonNode body = Json.MAPPER.readTree(r.body());
      assertTrue(body.get("error").asText().contains("no Kafka producer"), r.body());
      assertTrue(body.path("reason").isMissingNode(), "not a refused body: " + r.body());
    }
  }

  private static HttpResponse<String> post(HttpClient http, HttpApi api, String auth)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + PATH))
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(BODY));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
