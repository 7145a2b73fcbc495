package org.causalimpact.monitor.ingest;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Parses metric points and sends each to every monitor that has its series as a node.
 *
 * <p>With inputs keyed by monitor ({@value Router#KEYED_BY_MONITOR}) a point goes to the monitor
 * its record key names, and only there: a point without a key, or whose key names no monitor or a
 * monitor without its series, is rejected.
 */
public final class PointRouter implements Router {
  private final Map<String, List<String>> monitorsBySeries;
  private final boolean keyedByMonitor;

  /**
   * @param monitorsBySeries the monitors that have each series as a node
   * @param keyedByMonitor whether points are keyed by their monitor's name
   */
  public PointRouter(Map<String, List<String>> monitorsBySeries, boolean keyedByMonitor) {
    this.monitorsBySeries = Map.copyOf(monitorsBySeries);
    this.keyedByMonitor = keyedByMonitor;
  }

  @Override
  public void route(byte[] key, byte[] value, Source source, Out out) throws Rejected {
    PointParser.Point point = PointParser.parse(value);
    List<String> monitors = monitorsBySeries.get(point.series());
    if (monitors == null) {
      throw new Rejected("unknown-series", "no monitor has a node named '" + point.series() + "'");
    }
    Input.Point input =
        new Input.Point(point.series(), point.timestamp(), point.value(), source);
    if (keyedByMonitor) {
      out.accept(keyedMonitor(key, point.series(), monitors), input);
    } else {
      for (String m : monitors) {
        out.accept(m, input);
      }
    }
  }

  /** The monitor a point's key names, one of those with its series as a node. */
  private static String keyedMonitor(byte[] key, String series, List<String> monitors)
      throws Rejected {
    if (key == null || key.length == 0) {
      throw new Rejected(
          "missing-key",
          "the point has no key, and with " + KEYED_BY_MONITOR + "=true every"
              + " point is keyed by the name of its monitor ("
              + String.join(", ", monitors) + " for series '" + series + "')");
    }
    String named = new String(key, StandardCharsets.UTF_8);
    if (!monitors.contains(named)) {
      throw new Rejected(
          "wrong-key",
          "the point's key '" + named + "' is not a monitor with a node named '" + series
              + "'; with " + KEYED_BY_MONITOR + "=true key it by its monitor ("
              + String.join(", ", monitors) + "), once for each monitor that should get it");
    }
    return named;
  }
}
