package org.causalimpact.monitor.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.ingest.EventRouter;
import org.causalimpact.monitor.ingest.Inputs;
import org.causalimpact.monitor.ingest.Rejected;
import org.causalimpact.monitor.ingest.Source;
import org.causalimpact.monitor.wire.ApiViews;
import org.causalimpact.monitor.wire.Json;
import org.eclipse.jetty.server.Request;

/**
 * {@code POST /api/monitors/{m}/interventions}: the body is an intervention event as on the topic
 * ({@code {"id", "action": "start"|"end", "timestamp", "do", "outcomes"}}) without its monitor,
 * which the path names; {@code timestamp} defaults to now. The event as it will be produced (the
 * monitor first, the body's fields, the default timestamp) is checked by the stream's own {@link
 * EventRouter}, so that one rule set serves both ways in: a body the stream would dead-letter is
 * answered 400 with the dead letter's reason word and message. An accepted event is written by
 * the {@link InterventionPublisher} and answered 202 with the event, its partition and offset.
 * Whether the intervention may start given the monitor's state (an id already running, say) is
 * decided by the stream as for any event on the topic.
 *
 * <p>Thread-safe.
 */
final class InterventionPosts {
  private final InterventionPublisher publisher;
  private final Clock clock;

  /**
   * @param publisher where accepted events go, or {@code null} when this server has no Kafka
   *     producer (every post is then answered 503)
   * @param clock what "now" is for an event without a timestamp
   */
  InterventionPosts(InterventionPublisher publisher, Clock clock) {
    this.publisher = publisher;
    this.clock = clock;
  }

  /** Checks, produces and answers one posted event for monitor {@code def}. */
  Exchanges.Answer post(MonitorDefinition def, Request request) throws IOException {
    if (publisher == null) {
      throw ApiError.of(
          503,
          "this server has no Kafka producer, so it cannot take interventions; produce the event"
              + " to the interventions topic instead, keyed by the monitor's name");
    }
    byte[] body = Exchanges.body(request, ApiRoutes.MAX_BODY_BYTES);
    ObjectNode event = event(def.name(), body);
    byte[] value = bytes(event);
    byte[] key = def.name().getBytes(StandardCharsets.UTF_8);
    try {
      new EventRouter(Map.of(def.name(), def), true)
          .route(key, value, new Source(publisher.topic(), -1, -1, key, value), (m, in) -> {});
    } catch (Rejected r) {
      throw ApiError.refused(r.reason(), r.getMessage());
    }
    InterventionPublisher.Published p;
    try {
      p = publisher.publish(def.name(), value);
    } catch (IOException e) {
      throw ApiError.of(503, e.getMessage() + "; the event was not written, post it again")
          .withHeader("Retry-After", "5");
    }
    return Exchanges.Answer.json(
        202,
        new ApiViews.InterventionPosted(def.name(), p.topic(), p.partition(), p.offset(), event),
        Map.of());
  }

  /** The event to produce: {@code monitor} from the path, the body's fields, a timestamp. */
  private ObjectNode event(String monitor, byte[] body) {
    JsonNode root;
    try {
      root = Inputs.object(body);
    } catch (Rejected r) {
      throw ApiError.refused(r.reason(), "the request body: " + r.getMessage());
    }
    JsonNode named = root.get("monitor");
    if (named != null && !named.isNull() && !named.asText().equals(monitor)) {
      throw ApiError.refused(
          "invalid-intervention",
          "the body names monitor " + named + " but the path names '" + monitor
              + "': leave \"monitor\" out of the body or make the two agree");
    }
    ObjectNode event = Json.MAPPER.createObjectNode();
    event.put("monitor", monitor);
    root.properties().forEach(f -> {
      if (!f.getKey().equals("monitor")) {
        event.set(f.getKey(), f.getValue());
      }
    });
    JsonNode t = event.get("timestamp");
    if (t == null || t.isNull()) {
      event.put("timestamp", clock.instant().toString());
    }
    return event;
  }

  private static byte[] bytes(JsonNode event) {
    try {
      return Json.MAPPER.writeValueAsBytes(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an intervention event", e);
    }
  }
}
