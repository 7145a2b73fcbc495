package org.causalimpact.monitor.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.testing.Fixtures;
import org.junit.jupiter.api.Test;

class SummaryTableTest {
  @Test
  void causalImpactLayoutWithBothRoutes() {
    ImpactAnalysis a = Fixtures.analysis(10.4, true, false);
    String text = SummaryTable.render(a, Fixtures.table());
    assertTrue(
        text.startsWith(
            "Causal impact on vignette: the post-period against the counterfactual the model"
                + " predicts from the pre-period\n"),
        text);
    assertFalse(text.contains("intervention post-period"), text);
    assertTrue(
        text.contains(
            "Outcome y — pre rows 0–69 (2014-01-01..2014-03-11), post rows 70–99"
                + " (2014-03-12..2014-04-10), 95% intervals"),
        text);
    assertTrue(text.contains("Average"), text);
    assertTrue(text.contains("Cumulative"), text);
    assertTrue(text.matches("(?s).*\\nActual +117 +3512\\n.*"), text);
    assertTrue(text.matches("(?s).*\\nPrediction \\(s\\.d\\.\\) +107 \\(0\\.37\\) +.*"), text);
    assertTrue(text.contains("  conformal 95% CI"), text);
    assertTrue(text.contains("  bootstrap 95% CI"), text);
    assertTrue(text.matches("(?s).*\\nAbsolute effect \\(s\\.d\\.\\) +10\\.4 \\(0\\.37\\) +312.*"),
        text);
    // relative s.d. = effect s.d. / |prediction| = 0.37 / 106.65
    assertTrue(text.matches("(?s).*\\nRelative effect \\(s\\.d\\.\\) +9\\.75% \\(0\\.347%\\).*"),
        text);
    assertTrue(text.contains("p-value (bootstrap, two-sided):         0.001"), text);
    assertTrue(text.contains("p-value (conformal, normalised rank):   0.010"), text);
    assertFalse(text.contains("Expected effect"), text);
    assertFalse(text.contains("unbounded"), text);
  }

  @Test
  void unboundedBoundsPrintAsInfinityWithFootnote() {
    String text = SummaryTable.render(Fixtures.analysis(10.4, false, false), Fixtures.table());
    assertTrue(text.contains("[-inf, +inf]"), text);
    assertTrue(text.contains(SummaryTable.UNBOUNDED_NOTE), text);
    assertTrue(text.contains("p-value (conformal):                    n/a"), text);
  }

  @Test
  void expectedEffectRowOnlyInGraphMode() {
    String text = SummaryTable.render(Fixtures.analysis(10.4, true, true), null);
    assertTrue(text.startsWith("Monitor vignette, intervention post-period\n"), text);
    assertTrue(text.matches("(?s).*\\nExpected effect \\(do, model\\) +12 +360\\n.*"), text);
    assertTrue(text.contains("post rows 70–99, 95% intervals"), text);
  }
}
