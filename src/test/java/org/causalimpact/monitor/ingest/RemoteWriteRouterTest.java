package org.causalimpact.monitor.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.ingest.RemoteWriteDecoder.Sample;
import org.causalimpact.monitor.ingest.RemoteWriteDecoder.Series;
import org.causalimpact.monitor.ingest.RemoteWriteRouter.SampleOutcome;
import org.junit.jupiter.api.Test;

/**
 * Samples of remote-written series become the points an ingest client would write, read back by
 * the stream's own {@link PointParser}; samples that match nothing or that the stream would
 * dead-letter are counted instead.
 */
class RemoteWriteRouterTest {
  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

  private static MonitorDefinition monitor(String name, String visitsSelector) {
    return MonitorLoader.parse(
        "name: " + name + "\npreWindow: 10\nnodes:\n"
            + "  - name: visits\n    prometheus: " + visitsSelector + "\n"
            + "  - name: signups\n    parents: [visits]\n"
            + "    prometheus: {metric: shop_signups_total}\n",
        name + ".yaml");
  }

  private static Series series(Map<String, String> labels, Sample... samples) {
    return new Series(labels, List.of(samples));
  }

  private static PointParser.Point parsed(RemoteWriteRouter.Point p) throws Rejected {
    return PointParser.parse(p.value());
  }

  @Test
  void matchingSamplesBecomePointsOfTheirNodeKeyedByMonitor() throws Rejected {
    RemoteWriteRouter router =
        new RemoteWriteRouter(
            List.of(monitor("shop", "{metric: shop_visits, labels: {job: shop, page: home}}")),
            false);
    RemoteWriteRouter.Routed routed =
        router.route(
            List.of(
                series(
                    Map.of("__name__", "shop_visits", "job", "shop", "page", "home", "instance",
                        "a:9100"),
                    new Sample(42.5, T0), new Sample(43.0, T0 + 1000)),
                series(
                    Map.of("__name__", "shop_visits", "job", "shop", "page", "cart"),
                    new Sample(7, T0)),
                series(Map.of("__name__", "up", "job", "shop"), new Sample(1, T0)),
                series(Map.of("__name__", "shop_signups_total"), new Sample(3, T0 + 5))));
    List<RemoteWriteRouter.Point> points = routed.points();
    assertEquals(3, points.size());
    assertEquals(new PointParser.Point("visits", T0, 42.5), parsed(points.get(0)));
    assertEquals(new PointParser.Point("visits", T0 + 1000, 43.0), parsed(points.get(1)));
    assertEquals(new PointParser.Point("signups", T0 + 5, 3.0), parsed(points.get(2)));
    for (RemoteWriteRouter.Point p : points) {
      assertEquals("shop", p.key());
    }
    assertEquals(T0 + 5, points.get(2).timestamp());
    assertEquals(3L, routed.samples().get(SampleOutcome.ACCEPTED));
    assertEquals(2L, routed.samples().get(SampleOutcome.UNMATCHED), "the cart series and up");
    assertEquals(0L, routed.samples().get(SampleOutcome.STALE));
  }

  @Test
  void keyedByMonitorEachMonitorGetsItsOwnPoint() throws Rejected {
    List<MonitorDefinition> monitors =
        List.of(
            monitor("b-shop", "{metric: shop_visits, labels: {page: home}}"),
            monitor("a-shop", "{metric: shop_visits}"));
    Series home = series(Map.of("__name__", "shop_visits", "page", "home"), new Sample(1, T0));
    Series cart = series(Map.of("__name__", "shop_visits", "page", "cart"), new Sample(2, T0));

    RemoteWriteRouter.Routed keyed =
        new RemoteWriteRouter(monitors, true).route(List.of(home, cart));
    assertEquals(
        List.of("a-shop", "b-shop", "a-shop"),
        keyed.points().stream().map(RemoteWriteRouter.Point::key).toList());
    assertEquals(2L, keyed.samples().get(SampleOutcome.ACCEPTED), "samples, not points");

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new RemoteWriteRouter(monitors, false));
    assertTrue(e.getMessage().contains("a-shop and b-shop both have node 'visits'"), e.getMessage());
    assertTrue(e.getMessage().contains(Router.KEYED_BY_MONITOR + "=true"), e.getMessage());
  }

  @Test
  void notKeyedOnePointPerNodeNameReachesEveryMonitorWithThatNode() {
    String same = "{metric: shop_visits, labels: {page: home}}";
    RemoteWriteRouter router =
        new RemoteWriteRouter(List.of(monitor("b-shop", same), monitor("a-shop", same)), false);
    RemoteWriteRouter.Routed routed =
        router.route(
            List.of(series(Map.of("__name__", "shop_visits", "page", "home"), new Sample(1, T0))));
    assertEquals(1, routed.points().size(), "the stream sends it to both monitors");
    assertEquals("a-shop", routed.points().get(0).key());
  }

  @Test
  void staleMarkersAndValuesTheStreamWouldDeadLetterAreCountedNotWritten() {
    RemoteWriteRouter router =
        new RemoteWriteRouter(List.of(monitor("shop", "{metric: shop_visits}")), true);
    double stale = Double.longBitsToDouble(RemoteWriteRouter.STALE_NAN_BITS);
    RemoteWriteRouter.Routed routed =
        router.route(
            List.of(
                series(
                    Map.of("__name__", "shop_visits"),
                    new Sample(stale, T0),
                    new Sample(Double.NaN, T0),
                    new Sample(Double.POSITIVE_INFINITY, T0),
                    new Sample(1e101, T0),
                    new Sample(1e100, T0),
                    new Sample(5, -1),
                    new Sample(5, Inputs.MAX_TIME + 1),
                    new Sample(5, 0))));
    Map<SampleOutcome, Long> c = routed.samples();
    assertEquals(1L, c.get(SampleOutcome.STALE));
    assertEquals(2L, c.get(SampleOutcome.NON_FINITE));
    assertEquals(1L, c.get(SampleOutcome.OUT_OF_RANGE));
    assertEquals(2L, c.get(SampleOutcome.BAD_TIMESTAMP));
    assertEquals(2L, c.get(SampleOutcome.ACCEPTED), "1e100 and the epoch are still valid");
    assertEquals(2, routed.points().size());
  }

  @Test
  void withoutSelectorsEverySampleIsUnmatched() {
    MonitorDefinition plain =
        MonitorLoader.parse("name: m\npreWindow: 10\nnodes: [{name: up}]\n", "m.yaml");
    RemoteWriteRouter router = new RemoteWriteRouter(List.of(plain), false);
    assertTrue(router.isEmpty());
    RemoteWriteRouter.Routed routed =
        router.route(List.of(series(Map.of("__name__", "up"), new Sample(1, T0))));
    assertEquals(List.of(), routed.points());
    assertEquals(1L, routed.samples().get(SampleOutcome.UNMATCHED));
  }
}
