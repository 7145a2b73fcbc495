package org.causalimpact.monitor.config;

import java.util.Collection;
import java.util.Locale;

/**
 * "Did you mean" for names that must come from a known list: setting keys, YAML fields.
 * Thread-safe.
 */
public final class Spelling {
  private Spelling() {}

  /**
   * The known name nearest to {@code name}, ignoring case, by optimal string alignment distance
   * (Levenshtein plus transposition of adjacent letters); the first of the nearest on a tie.
   *
   * @param maxDistance the largest distance to suggest; beyond it the answer is {@code null}
   * @return the nearest known name, or {@code null} when none is within {@code maxDistance}
   */
  public static String nearest(String name, Collection<String> known, int maxDistance) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    String n = name.toLowerCase(Locale.ROOT);
    for (String k : known) {
      int d = distance(n, k.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return bestDistance <= maxDistance ? best : null;
  }

  /** Optimal string alignment distance: Levenshtein plus transposition of adjacent letters. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
