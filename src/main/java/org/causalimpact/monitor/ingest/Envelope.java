package org.causalimpact.monitor.ingest;

import java.util.List;
import java.util.Map;

/**
 * One parsed input for one monitor, keyed by the monitor's name on the repartition topic.
 *
 * @param kind {@code point}, {@code start} or {@code end}
 * @param node the series of a point
 * @param timestamp event time in epoch milliseconds
 * @param value the point's value
 * @param id the intervention id (start, end)
 * @param actions do-specs of a start, as {@code node -> {"shift": 5.0}}
 * @param outcomes outcomes of a start
 * @param source where it came from
 */
public record Envelope(
    String kind,
    String node,
    long timestamp,
    double value,
    String id,
    Map<String, Map<String, Object>> actions,
    List<String> outcomes,
    Source source) {
  public static final String POINT = "point";
  public static final String START = "start";
  public static final String END = "end";

  public static Envelope point(String node, long timestamp, double value, Source source) {
    return new Envelope(POINT, node, timestamp, value, null, null, null, source);
  }
}
