package org.causalimpact.monitor.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.impact.Summary;
import org.causalimpact.monitor.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WrittenReportTest {
  private static final String BOOTSTRAP_YES = "bootstrap route, the effect is statistically significant";
  private static final String CONFORMAL_YES = "conformal route, the effect is statistically significant";
  private static final String BOOTSTRAP_NO = "bootstrap route, the effect is not statistically";
  private static final String CONFORMAL_NO = "conformal route, the effect is not statistically";

  /** The words follow the summary's decisions, whatever they are. */
  @ParameterizedTest(name = "effect {0}, conformal bounded {1}")
  @CsvSource({"10.4, true", "0.2, true", "10.4, false", "0.2, false", "-5, true"})
  void saysSignificantExactlyWhenTheSummaryDoes(double effect, boolean bounded) {
    ImpactAnalysis a = Fixtures.analysis(effect, bounded, false);
    Summary s = a.outcomes().get(0).summary();
    String text = WrittenReport.render(a, Fixtures.table());
    assertEquals(s.significantBootstrap(), text.contains(BOOTSTRAP_YES), text);
    assertEquals(!s.significantBootstrap(), text.contains(BOOTSTRAP_NO), text);
    assertEquals(s.significantConformal(), text.contains(CONFORMAL_YES), text);
    assertEquals(!s.significantConformal(), text.contains(CONFORMAL_NO), text);
  }

  @Test
  void bothCasesOccur() {
    Summary yes = Fixtures.analysis(10.4, true, false).outcomes().get(0).summary();
    Summary no = Fixtures.analysis(0.2, true, false).outcomes().get(0).summary();
    assertTrue(yes.significantBootstrap() && yes.significantConformal());
    assertTrue(!no.significantBootstrap() && !no.significantConformal());
    String text = WrittenReport.render(Fixtures.analysis(0.2, true, false), null);
    assertTrue(text.contains("The apparent effect may be noise."), text);
  }

  @Test
  void reportsNumbersExpectedEffectAndNotes() {
    String text = WrittenReport.render(Fixtures.analysis(5, false, true), Fixtures.table());
    assertTrue(text.contains("rows 70–99, 2014-03-12..2014-04-10, 30 steps"), text);
    assertTrue(text.contains("y averaged 117"), text);
    assertTrue(text.contains("the model predicts 112"), text);
    assertTrue(text.contains("+5 per step"), text);
    assertTrue(text.contains("conformal p-value not available"), text);
    assertTrue(text.contains("two-sided bootstrap p = 0.001"), text);
    assertTrue(text.contains("its interval is unbounded"), text);
    assertTrue(text.contains("expected the intervention to change y by +12 per step"), text);
    assertTrue(text.contains("below that interval"), text);
    assertTrue(text.contains("- conformal intervals are unbounded: short pre-period"), text);
  }
}
