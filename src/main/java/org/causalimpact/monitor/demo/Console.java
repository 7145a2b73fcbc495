package org.causalimpact.monitor.demo;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import org.causalimpact.monitor.report.Numbers;

/** How the demo prints: one formatted line at a time, flushed; durations for people. */
final class Console {
  private Console() {}

  static void println(PrintWriter out, String format, Object... args) {
    out.println(String.format(Locale.ROOT, format, args));
    out.flush();
  }

  /** {@code 1 minute}, {@code 60 s}, {@code 2.5 s}. */
  static String human(Duration d) {
    if (d.toMillis() % 60_000 == 0 && d.toMinutes() > 0) {
      long m = d.toMinutes();
      return m == 1 ? "1 minute" : m + " minutes";
    }
    return Numbers.format(d.toMillis() / 1000.0) + " s";
  }
}
