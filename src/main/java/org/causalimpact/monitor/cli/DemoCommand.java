package org.causalimpact.monitor.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.causalimpact.monitor.app.Durations;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.demo.DemoOptions;
import org.causalimpact.monitor.demo.DemoSession;
import org.causalimpact.monitor.io.InterventionEvents;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code demo}: the whole streaming monitor in one process, with no external service — a real
 * Kafka broker (KRaft) started in-process, the topology with exactly-once processing, and a
 * simulator with a known injected effect. See {@link DemoSession}.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Run the streaming monitor on an embedded Kafka broker with simulated data and a campaign of"
          + " known effect; print the estimated effect next to the injected truth, then keep the"
          + " live page up until Ctrl-C.",
      "",
      "  demo                         # pre-period at 50 steps/s, campaign at 2 steps/s:"
          + " result after ~80 s, then the page stays up until Ctrl-C",
      "  demo --exit-after-result --campaign-speed 0   # for scripts: result after ~16 s, exit 0",
      ""
    })
final class DemoCommand implements Callable<Integer> {
  /** Exit status after Ctrl-C (128 + SIGINT), as shells report it. */
  static final int INTERRUPTED = 130;

  @Spec CommandSpec spec;

  @Option(names = "--duration", paramLabel = "TIME", converter = DurationConverter.class,
      description = "Wall time after which the campaign is ended and the result printed, e.g. 60s"
          + " or 2m (default: the whole simulation).")
  Duration duration;

  @Option(names = "--speed", paramLabel = "STEPS", defaultValue = "50",
      description = "Simulated steps per second of wall time before and after the campaign;"
          + " 0 = as fast as possible (default ${DEFAULT-VALUE}).")
  double speed;

  @Option(names = "--campaign-speed", paramLabel = "STEPS", defaultValue = "2",
      description = "Simulated steps per second during the campaign, slow enough to watch it on"
          + " the live page; 0 = as fast as possible (default ${DEFAULT-VALUE}: the 120 steps of"
          + " the demo's campaign take a minute).")
  double campaignSpeed;

  @Option(names = "--exit-after-result",
      description = "Exit right after the result is printed instead of keeping the live page up"
          + " until Ctrl-C (for scripts and tests).")
  boolean exitAfterResult;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
      description = "HTTP port of the dashboard and JSON API (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--seed", paramLabel = "S",
      description = "Seed of the simulated data (default: the monitor's).")
  Long seed;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Keep the broker's and the state stores' data in DIR (must be empty or absent;"
          + " default: a temporary directory deleted at the end).")
  Path dataDir;

  @Option(names = "--monitor", paramLabel = "YAML", defaultValue = "config/monitors/demo.yaml",
      description = "Monitor with a 'simulation' section (default ${DEFAULT-VALUE}).")
  Path monitor;

  @Option(names = "--intervention", paramLabel = "SPEC",
      defaultValue = "config/interventions/demo-campaign.json",
      description = "The campaign: intervention event JSON, inline, a file or @file"
          + " (default ${DEFAULT-VALUE}).")
  String intervention;

  @Option(names = "--summary-timeout", paramLabel = "TIME", defaultValue = "60s",
      converter = DurationConverter.class,
      description = "How long to wait for the summary after the last row (default"
          + " ${DEFAULT-VALUE}).")
  Duration summaryTimeout;

  @Override
  public Integer call() throws InterruptedException {
    MonitorDefinition def = MonitorLoader.load(monitor);
    var campaign = InterventionEvents.read(intervention);
    DemoOptions options =
        new DemoOptions(
            def,
            campaign,
            seed == null ? def.intervals().seed() : seed,
            speed,
            campaignSpeed,
            duration,
            port,
            dataDir,
            summaryTimeout,
            exitAfterResult);
    CtrlC ctrlC = new CtrlC("demo-shutdown");
    try {
      new DemoSession(options, spec.commandLine().getOut(), ctrlC::requested).run();
      if (ctrlC.requested()) {
        spec.commandLine().getOut().println("stopped: simulator, streams and broker closed");
        // flushed here: once ctrlC is closed the JVM ends without waiting for main to flush
        spec.commandLine().getOut().flush();
        return INTERRUPTED;
      }
      return 0;
    } finally {
      ctrlC.close();
    }
  }

  /** {@code 60s}, {@code 2m}, {@code 500ms}, {@code PT1M}. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return Durations.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
