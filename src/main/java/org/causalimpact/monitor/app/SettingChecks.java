package org.causalimpact.monitor.app;

import java.util.List;
import java.util.Locale;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.config.Spelling;

/**
 * Checks of settings that would otherwise be ignored: a {@code monitor.*} key that is not a
 * setting. Each throws an {@link InputException} (exit status 2) that names the key and its
 * origin; secret values are never in it. Thread-safe.
 */
final class SettingChecks {
  private static final String OWN_PREFIX = "monitor.";

  private SettingChecks() {}

  /**
   * Refuses a {@code monitor.*} key not in {@code known}, naming the nearest known one (and its
   * environment variable when the unknown key came from one).
   */
  static void monitorKeys(AppSettings settings, List<String> known) {
    for (String key : settings.values().keySet()) {
      if (key.startsWith(OWN_PREFIX) && !known.contains(key)) {
        String nearest = Spelling.nearest(key, known, Integer.MAX_VALUE);
        boolean env = settings.origin(key).startsWith("environment");
        throw settings.invalid(
            key,
            "is not a setting of the monitor; the nearest is " + nearest
                + (env ? " (" + envVariable(nearest) + ")" : "")
                + ". The monitor's settings: " + String.join(", ", known));
      }
    }
  }

  /** The variable that sets {@code key}: {@code monitor.grace} → {@code CIM_MONITOR_GRACE}. */
  static String envVariable(String key) {
    return AppSettings.ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
  }
}
