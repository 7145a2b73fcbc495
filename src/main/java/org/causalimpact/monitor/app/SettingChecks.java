package org.causalimpact.monitor.app;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.config.Spelling;

/**
 * Checks of settings that would otherwise be ignored, or fail only once Kafka's clients start
 * (with a stack trace and exit status 1): a {@code monitor.*} key that is not a setting, and a
 * {@code sasl.jaas.config} line that Kafka cannot parse. Each throws an {@link InputException}
 * (exit status 2) that names the key and its origin; secret values are never in it. Thread-safe.
 */
final class SettingChecks {
  private static final String OWN_PREFIX = "monitor.";
  private static final Pattern CLASS_NAME =
      Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)+");
  private static final String JAAS_EXAMPLE =
      "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"...\""
          + " password=\"...\";";

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

  /**
   * With {@code security.protocol} {@code SASL_PLAINTEXT} or {@code SASL_SSL}, parses every
   * {@code sasl.jaas.config} (also a client's, e.g. {@code producer.sasl.jaas.config}) as Kafka's
   * clients do, and checks that its login module is on the class path. Without SASL, Kafka reads
   * no JAAS line and neither does this check.
   */
  static void jaasLines(AppSettings settings) {
    String protocol = settings.values().getOrDefault("security.protocol", "");
    if (!protocol.toUpperCase(Locale.ROOT).startsWith("SASL_")) {
      return;
    }
    for (Map.Entry<String, String> e : settings.values().entrySet()) {
      String key = e.getKey();
      if (key.equals(SaslConfigs.SASL_JAAS_CONFIG)
          || key.endsWith("." + SaslConfigs.SASL_JAAS_CONFIG)) {
        String problem = jaasProblem(e.getValue());
        if (problem != null) {
          throw settings.invalid(
              key,
              "is not a JAAS line Kafka can read: " + problem + ". Write one login module:"
                  + " its class, a flag (required), options key=\"value\", then ';', e.g. "
                  + JAAS_EXAMPLE);
        }
      }
    }
  }

  /** What is wrong with the JAAS line, without any of its text; {@code null} if nothing. */
  private static String jaasProblem(String line) {
    List<AppConfigurationEntry> entries;
    try {
      entries =
          JaasContext.loadClientContext(Map.of(SaslConfigs.SASL_JAAS_CONFIG, new Password(line)))
              .configurationEntries();
    } catch (IllegalArgumentException | KafkaException e) {
      // Kafka's message may quote a token of the line, which can be the password: drop quotes
      return String.valueOf(e.getMessage()).replaceAll("'[^']*'", "'...'");
    }
    String module = entries.get(0).getLoginModuleName();
    try {
      Class.forName(module, false, SettingChecks.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      // the first word names the class; printed only when it reads as one, never a stray secret
      return "its login module "
          + (CLASS_NAME.matcher(module).matches() ? module + " " : "(its first word) ")
          + "is not a class on the class path";
    }
    return null;
  }
}
