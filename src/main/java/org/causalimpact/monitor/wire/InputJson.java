package org.causalimpact.monitor.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.scm.DoSpec;

/**
 * The input records as DESIGN.md's data contracts give them, as the simulator and the demo write
 * them: metric points and intervention events.
 */
public final class InputJson {
  private InputJson() {}

  /** A metric point: {@code {"series", "timestamp": ISO-8601, "value"}}. */
  public record Point(String series, String timestamp, double value) {}

  /**
   * An intervention event: {@code {"monitor", "id", "action", "timestamp", "do", "outcomes"}};
   * an end event has neither {@code do} nor {@code outcomes}, a start without outcomes has none.
   */
  public record Event(
      String monitor,
      String id,
      String action,
      String timestamp,
      @JsonProperty("do") @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, DoSpec> actions,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> outcomes) {}

  /** The record as JSON text. */
  public static String text(Object record) {
    try {
      return Json.MAPPER.writeValueAsString(record);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an input record", e);
    }
  }
}
