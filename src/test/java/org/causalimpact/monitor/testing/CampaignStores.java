package org.causalimpact.monitor.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.live.MonitorQueries;
import org.causalimpact.monitor.live.MonitorTopology;
import org.causalimpact.monitor.live.TopologySettings;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.SimulationSpec;
import org.causalimpact.monitor.scm.TimeSeriesTable;

/**
 * The stores of the validation monitor ({@code x -> y}, 1 h step, pre-window 400, grace 0) in a
 * {@link TopologyTestDriver} (no broker), fed the monitor's 420 simulated rows (seed 3; or more)
 * with a campaign (x shifted by 5, outcome y) that starts at row {@value #START} and keeps
 * running.
 * Rows are fed in order as a test asks ({@link #closeThrough}).
 */
public final class CampaignStores implements AutoCloseable {
  public static final long HOUR = Duration.ofHours(1).toMillis();
  public static final int START = 400;

  public final MonitorDefinition monitor;
  private final TopologyTestDriver driver;
  private final TimeSeriesTable table;
  private final TestInputTopic<byte[], byte[]> metrics;
  private final TestInputTopic<byte[], byte[]> events;
  /** Rows fed whole; the x point of the next one is fed too, to close the last. */
  private int fed;

  public CampaignStores(Path stateDir) throws IOException {
    this(stateDir, 420);
  }

  /** The same with {@code rows} simulated rows (the monitor's own simulation has 420). */
  public CampaignStores(Path stateDir, int rows) throws IOException {
    monitor = MonitorLoader.load(Path.of("config/monitors/validation.yaml"));
    Files.createDirectories(stateDir);
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "http-api-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    driver =
        new TopologyTestDriver(
            MonitorTopology.build(
                List.of(monitor), TopologySettings.defaults().withGrace(Duration.ZERO)),
            p);
    metrics =
        driver.createInputTopic(
            TopologySettings.defaults().metricsTopic(),
            new ByteArraySerializer(),
            new ByteArraySerializer());
    events =
        driver.createInputTopic(
            TopologySettings.defaults().interventionsTopic(),
            new ByteArraySerializer(),
            new ByteArraySerializer());
    Intervention campaign =
        new Intervention("campaign", Map.of("x", new DoSpec.Shift(5.0)), List.of("y"), START, -1);
    table =
        DataSimulator.simulate(
                monitor.graph(),
                new SimulationSpec(rows, monitor.simulation().equations()),
                campaign,
                3L)
            .table();
  }

  /** Rows the simulation has. */
  public int rows() {
    return table.rows();
  }

  /**
   * Feeds the rows after those fed so far through {@code last}, and closes {@code last} with the
   * next row's x point (20.0 after the simulated rows).
   */
  public void closeThrough(int last) {
    for (int r = fed; r <= last; r++) {
      if (r == START) {
        events.pipeInput(
            utf8(monitor.name()),
            utf8(
                "{\"monitor\":\"validation\",\"id\":\"campaign\",\"action\":\"start\","
                    + "\"timestamp\":" + START * HOUR
                    + ",\"do\":{\"x\":{\"shift\":5.0}},\"outcomes\":[\"y\"]}"),
            START * HOUR);
      }
      if (r == 0 || r > fed) {
        point("x", r * HOUR, table.value("x", r));
      }
      point("y", r * HOUR + 1000, table.value("y", r));
    }
    int next = last + 1;
    point("x", next * HOUR, next < table.rows() ? table.value("x", next) : 20.0);
    fed = next;
  }

  /** Interactive queries over the driver's stores. */
  public MonitorQueries queries() {
    return MonitorQueries.of(List.of(monitor), this::store);
  }

  /** The driver's store of that name. */
  public ReadOnlyKeyValueStore<String, ?> store(String name) {
    return driver.getKeyValueStore(name);
  }

  private void point(String series, long time, double v) {
    metrics.pipeInput(
        utf8(series),
        utf8(
            "{\"series\":\"" + series + "\",\"timestamp\":\"" + Instant.ofEpochMilli(time)
                + "\",\"value\":" + v + "}"),
        time);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    driver.close();
  }
}
