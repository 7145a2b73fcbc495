package org.causalimpact.monitor.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.causalimpact.monitor.impact.Interval;
import org.junit.jupiter.api.Test;

class NumbersTest {
  @Test
  void threeSignificantDigitsButAllIntegerDigits() {
    assertEquals("117", Numbers.format(117.0485));
    assertEquals("3511", Numbers.format(3511.4555));
    assertEquals("1402294", Numbers.format(1402294.4));
    assertEquals("0.37", Numbers.format(0.3702));
    assertEquals("9.8", Numbers.format(9.8));
    assertEquals("10.4", Numbers.format(10.419));
    assertEquals("-44.4", Numbers.format(-44.41));
    assertEquals("0.00123", Numbers.format(0.0012345));
    assertEquals("0", Numbers.format(0.0));
    assertEquals("0", Numbers.format(-0.0));
    assertEquals("n/a", Numbers.format(Double.NaN));
    assertEquals("1.23e-07", Numbers.format(1.234e-7));
  }

  @Test
  void percentagesSignsAndLevels() {
    assertEquals("9.87%", Numbers.percent(0.09871));
    assertEquals("+11", Numbers.signed(11.0));
    assertEquals("-3.2", Numbers.signed(-3.2));
    assertEquals("+9.9%", Numbers.signedPercent(0.099));
    assertEquals("95%", Numbers.level(0.95));
    assertEquals("97.5%", Numbers.level(0.975));
    assertEquals("90%", Numbers.level(0.9));
  }

  @Test
  void intervalsShowUnboundedSides() {
    assertEquals("[9.8, 11]", Numbers.interval(Interval.of(9.8, 11.0)));
    assertEquals("[-inf, 8.17]", Numbers.interval(new Interval(null, 8.17)));
    assertEquals("[-inf, +inf]", Numbers.interval(Interval.unbounded()));
    assertEquals("n/a", Numbers.interval(null));
    assertEquals("[9.2%, 11%]", Numbers.percentInterval(Interval.of(0.092, 0.11)));
  }

  @Test
  void pValues() {
    assertEquals("0.001", Numbers.pValue(0.001));
    assertEquals("< 0.001", Numbers.pValue(0.0004));
    assertEquals("n/a", Numbers.pValue(null));
    assertEquals("p = 0.010", Numbers.pClause(0.01));
    assertEquals("p < 0.001", Numbers.pClause(0.0001));
  }
}
