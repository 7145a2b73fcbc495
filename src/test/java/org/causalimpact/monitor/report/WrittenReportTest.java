package org.causalimpact.monitor.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  /**
   * Every number of the table's estimate rows (actual, prediction, effects, their intervals; not
   * the s.d.) and both p-values, read back from the rendered table, stand in the report, as does
   * 1 - p of each route, printed to the digit of p.
   */
  @ParameterizedTest(name = "effect {0}, conformal bounded {1}, graph mode {2}")
  @CsvSource({"10.4, true, false", "0.2, true, true", "5, false, true"})
  void theReportStatesEveryNumberOfTheTable(double effect, boolean bounded, boolean graph) {
    ImpactAnalysis a = Fixtures.analysis(effect, bounded, graph);
    String table = SummaryTable.render(a, Fixtures.table());
    String text = WrittenReport.render(a, Fixtures.table());
    List<String> numbers = new ArrayList<>();
    Matcher row =
        Pattern.compile("(?m)^(Actual|Prediction|Absolute effect|Relative effect|  conformal"
                + "|  bootstrap)\\S*(?: \\S+)*? {2,}(.+?) {2,}(.+)$")
            .matcher(table);
    while (row.find()) {
      for (String cell : List.of(row.group(2), row.group(3))) {
        // "107 (0.358)": the estimate without its s.d.; "[106, 107]": the interval as printed
        numbers.add(cell.startsWith("[") ? cell.strip() : cell.replaceAll(" \\(.*\\)$", ""));
      }
    }
    assertTrue(numbers.size() >= 14, "parsed " + numbers + " from\n" + table);
    for (String n : numbers) {
      String signed = n.startsWith("-") || n.startsWith("[") || n.equals("n/a") ? n : "+" + n;
      assertTrue(text.contains(n) || text.contains(signed), n + " is missing from\n" + text);
    }
    Matcher p = Pattern.compile("p-value \\((bootstrap|conformal)[^)]*\\): +(\\S+)").matcher(table);
    int pValues = 0;
    while (p.find()) {
      if (!p.group(2).equals("n/a")) {
        assertTrue(text.contains("p = " + p.group(2)), p.group(2) + " missing from\n" + text);
        pValues++;
      }
    }
    assertEquals(bounded ? 2 : 1, pValues);
    Summary s = a.outcomes().get(0).summary();
    String bootstrap = Numbers.oneMinusP(s.pValueBootstrap());
    assertTrue(table.contains("bootstrap " + bootstrap), table);
    assertTrue(text.contains("is " + bootstrap + " by the bootstrap route"), text);
  }

  @Test
  void oneMinusPAgreesWithThePrintedP() {
    assertEquals("99.8%", Numbers.oneMinusP(0.002));
    assertEquals("98.7%", Numbers.oneMinusP(0.0125), "p prints as 0.013");
    assertEquals("> 99.9%", Numbers.oneMinusP(0.0004));
    assertEquals("0%", Numbers.oneMinusP(1.0));
    assertEquals("n/a", Numbers.oneMinusP(null));
  }

  /**
   * A placebo outcome's paragraph calls its difference the model's error: never an effect of the
   * intervention, never significant, no probability of a causal effect; its decision follows the
   * same intervals as the table, whichever way they go.
   */
  @ParameterizedTest(name = "error {0}")
  @CsvSource({"10.4", "0.2"})
  void aPlaceboParagraphNeverSaysSignificant(double error) {
    ImpactAnalysis a = Fixtures.asPlacebo(Fixtures.analysis(error, true, true));
    Summary s = a.outcomes().get(0).summary();
    String paragraph = WrittenReport.paragraph(a, a.outcomes().get(0), Fixtures.table());
    assertFalse(paragraph.toLowerCase(Locale.ROOT).contains("significan"), paragraph);
    assertFalse(paragraph.contains("probability of a causal effect"), paragraph);
    assertFalse(paragraph.contains("The estimated effect"), paragraph);
    assertTrue(paragraph.contains("y is a placebo check"), paragraph);
    assertTrue(paragraph.contains("an error of " + Numbers.signed(s.average().effect().mean())),
        paragraph);
    assertEquals(
        s.significantBootstrap(),
        paragraph.contains("excludes zero by the bootstrap route"),
        paragraph);
    assertEquals(
        s.significantConformal(),
        paragraph.contains("excludes zero by the conformal route"),
        paragraph);
    assertEquals(
        s.significantBootstrap() || s.significantConformal(),
        paragraph.contains("are off over the post-period"),
        paragraph);
    String table = SummaryTable.render(a, Fixtures.table());
    assertTrue(table.contains("Placebo outcome: the intervention's do() cannot reach y"), table);
    assertFalse(table.contains("Probability of a causal effect"), table);
  }
}
