package org.causalimpact.monitor.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Samples read from a Prometheus text scrape of {@code /metrics}, for tests. Stateless. */
public final class Scrapes {
  private Scrapes() {}

  /**
   * The value of one series, written as in the scrape ({@code name{label="v",...}}, labels in
   * the scrape's order); fails the test when the scrape has no such series.
   */
  public static double sample(String scrape, String series) {
    Matcher m =
        Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE)
            .matcher(scrape);
    assertTrue(m.find(), "no sample " + series + " in\n" + scrape);
    return Double.parseDouble(m.group(1));
  }

  /** The sum of every series of metric {@code name} in the scrape; 0 when it has none. */
  public static double total(String scrape, String name) {
    Matcher m =
        Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE)
            .matcher(scrape);
    double sum = 0;
    while (m.find()) {
      sum += Double.parseDouble(m.group(2));
    }
    return sum;
  }
}
