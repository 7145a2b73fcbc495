package org.causalimpact.monitor.live;

import java.time.Instant;
import org.causalimpact.monitor.ingest.Input;
import org.causalimpact.monitor.state.Interventions;

/** Whether a monitor takes a start event, and if not, the dead letter's reason and message. */
final class StartCheck {
  private StartCheck() {}

  /** Why a start is refused: a bounded reason word and a message that says what to do. */
  record Refusal(String reason, String message) {}

  /**
   * The refusal of start {@code e}, or {@code null} if the monitor takes it: refused if its id is
   * running or among the ended interventions kept ({@code duplicate-start}), if it lies more than
   * {@link InterventionLimits#maxLead()} after both the monitor's newest point and the current time
   * ({@link MonitorStores.Monitor#latestTime()}: {@code too-far-ahead}), or if {@link
   * InterventionLimits#maxRunning()} run already ({@code too-many-running}).
   */
  static Refusal refusal(
      MonitorStores.Monitor m, Interventions st, Input.Start e, InterventionLimits limits) {
    String monitor = m.def.name();
    if (st.running(e.id()) != null || st.ended(e.id())) {
      return new Refusal(
          "duplicate-start",
          "intervention '" + e.id() + "' of monitor '" + monitor + "' was already started");
    }
    long latest = m.latestTime();
    if (e.timestamp() - latest > limits.maxLead().toMillis()) {
      return new Refusal(
          "too-far-ahead",
          "intervention '" + e.id() + "' starts at " + Instant.ofEpochMilli(e.timestamp())
              + ", further after both the newest point of monitor '" + monitor + "' and the"
              + " current time (the later is " + Instant.ofEpochMilli(latest) + ") than "
              + InterventionLimits.MAX_LEAD + "="
              + limits.maxLead() + " allows: check its timestamp, send it closer to its start,"
              + " or raise the setting");
    }
    if (st.running().size() >= limits.maxRunning()) {
      return new Refusal(
          "too-many-running",
          "monitor '" + monitor + "' already runs " + st.running().size()
              + " interventions (pending ones included), the most " + InterventionLimits.MAX_RUNNING
              + "=" + limits.maxRunning() + " allows: end or cancel one first, or raise the"
              + " setting");
    }
    return null;
  }
}
