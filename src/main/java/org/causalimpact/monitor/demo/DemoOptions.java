package org.causalimpact.monitor.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.io.InterventionEvents.InterventionEvent;

/**
 * What to run.
 *
 * @param monitor the monitor (with a {@code simulation} section)
 * @param campaign the intervention whose effect is injected and estimated
 * @param seed the simulator's seed
 * @param speed simulated steps per wall-clock second before and after the campaign ({@code 0}: as
 *     fast as possible)
 * @param campaignSpeed simulated steps per wall-clock second during the campaign
 * @param duration wall time after which the campaign is ended early, or {@code null}
 * @param httpPort the port reserved for the dashboard and JSON API
 * @param dataDir where the broker and the state stores live (kept), or {@code null} for a
 *     temporary directory deleted at the end
 * @param summaryTimeout how long to wait for the summary after the last row
 * @param exitAfterResult whether to stop right after the result is printed, rather than keep the
 *     live page up until Ctrl-C
 */
public record DemoOptions(
    MonitorDefinition monitor,
    InterventionEvent campaign,
    long seed,
    double speed,
    double campaignSpeed,
    Duration duration,
    int httpPort,
    Path dataDir,
    Duration summaryTimeout,
    boolean exitAfterResult) {
  public DemoOptions {
    Objects.requireNonNull(monitor, "monitor");
    Objects.requireNonNull(campaign, "campaign");
    Objects.requireNonNull(summaryTimeout, "summaryTimeout");
    if (!(speed >= 0) || Double.isInfinite(speed)) {
      throw new InputException("--speed must be a number of steps per second >= 0, got " + speed);
    }
    if (!(campaignSpeed >= 0) || Double.isInfinite(campaignSpeed)) {
      throw new InputException(
          "--campaign-speed must be a number of steps per second >= 0, got " + campaignSpeed);
    }
    if (duration != null && (duration.isZero() || duration.isNegative())) {
      throw new InputException("--duration must be positive, got " + duration);
    }
    if (httpPort < 0 || httpPort > 65_535) {
      throw new InputException("--port must be in 0..65535, got " + httpPort);
    }
  }
}
