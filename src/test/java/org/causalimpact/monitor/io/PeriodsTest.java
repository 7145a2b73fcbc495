package org.causalimpact.monitor.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.causalimpact.monitor.InputException;
import org.junit.jupiter.api.Test;

class PeriodsTest {
  private static final List<String> DAYS = days(LocalDate.of(2014, 1, 1), 1, 100);
  private static final List<String> WEEKS = days(LocalDate.of(2011, 1, 2), 7, 325);

  /** 91 stamps 10 s apart, 2016-02-20 22:41:20 to 22:56:20, with the colons of times. */
  private static final List<String> STAMPS = stamps();

  private static List<String> stamps() {
    List<String> out = new ArrayList<>();
    LocalDateTime t = LocalDateTime.of(2016, 2, 20, 22, 41, 20);
    for (int i = 0; i < 91; i++) {
      out.add(t.plusSeconds(10L * i).toString().replace('T', ' '));
    }
    return out;
  }

  private static List<String> days(LocalDate from, int every, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(from.plusDays((long) i * every).toString());
    }
    return out;
  }

  private static String message(String pre, String post, List<String> labels, int rows) {
    return assertThrows(InputException.class, () -> Periods.parse(pre, post, labels, rows))
        .getMessage();
  }

  @Test
  void rowIndexes() {
    assertEquals(new Periods(0, 69, 70, 99), Periods.parse("0:69", "70:99", null, 100));
    assertEquals(new Periods(0, 69, 70, 99), Periods.parse(" 0 : 69 ", "70..99", DAYS, 100));
  }

  @Test
  void exactLabels() {
    assertEquals(
        new Periods(0, 69, 70, 99),
        Periods.parse("2014-01-01:2014-03-11", "2014-03-12:2014-04-10", DAYS, 100));
  }

  @Test
  void datesBetweenRowsUseTheRowsInsideThePeriod() {
    // weekly Sundays: 2015-09-13 is row 245, 2015-09-20 row 246
    assertEquals(
        new Periods(0, 245, 246, 324),
        Periods.parse("2011-01-02:2015-09-15", "2015-09-16:2017-03-19", WEEKS, 325));
  }

  @Test
  void dateTimesWithColons() {
    // row 60 is 22:51:20, row 61 22:51:30
    assertEquals(
        new Periods(0, 60, 61, 90),
        Periods.parse(
            "2016-02-20 22:41:20:2016-02-20 22:51:20", "2016-02-20 22:51:30..2016-02-20 22:56:20",
            STAMPS, 91));
    assertEquals(
        new Periods(0, 60, 61, 90),
        Periods.parse("0:2016-02-20T22:51:20Z", "61:90", STAMPS, 91));
  }

  @Test
  void yearLabelsOutOfIndexRange() {
    List<String> years = new ArrayList<>();
    for (int y = 1970; y <= 2000; y++) {
      years.add(Integer.toString(y));
    }
    assertEquals(new Periods(0, 18, 19, 30), Periods.parse("1970:1988", "1989:2000", years, 31));
  }

  @Test
  void malformed() {
    String m = message("0-69", "70:99", null, 100);
    assertTrue(m.contains("--pre '0-69' is not a period: give START:END"), m);
    m = message("0:69", "", null, 100);
    assertTrue(m.contains("--post is missing"), m);
    m = message("0:abc", "70:99", DAYS, 100);
    assertTrue(m.contains("'abc' is neither a row index, a row label nor a date/time"), m);
  }

  @Test
  void outOfRange() {
    String m = message("0:69", "70:100", null, 100);
    assertTrue(m.contains("row 100 is out of range: the table has 100 rows (0–99)"), m);
    m = message("2013-01-01:2013-02-01", "70:99", DAYS, 100);
    assertTrue(m.contains("before the data's first date, 2014-01-01"), m);
  }

  @Test
  void datesOutsideTheDataAreRefusedNotMoved() {
    // DAYS runs 2014-01-01..2014-04-10; each bound past either end is refused like row 100
    String m = message("0:69", "2014-03-12:2015-01-01", DAYS, 100);
    assertEquals(
        "--post '2014-03-12:2015-01-01': '2015-01-01' is after the data's last date, 2014-04-10:"
            + " the data runs from 2014-01-01 to 2014-04-10 (rows 0–99); give a date within it",
        m);
    m = message("2013-12-31..2014-03-11", "70:99", DAYS, 100);
    assertEquals(
        "--pre: '2013-12-31' is before the data's first date, 2014-01-01: the data runs from"
            + " 2014-01-01 to 2014-04-10 (rows 0–99); give a date within it",
        m);
    m = message("0:69", "2014-03-12:2014-04-11", DAYS, 100);
    assertTrue(m.startsWith("--post ") && m.contains("'2014-04-11' is after"), m);
    m = message("2010-12-26:2015-09-15", "2015-09-16:2017-03-19", WEEKS, 325);
    assertTrue(m.contains("before the data's first date, 2011-01-02"), m);
    // the last row's own date is inside
    assertEquals(new Periods(0, 69, 70, 99),
        Periods.parse("0:69", "2014-03-12:2014-04-10", DAYS, 100));
  }

  @Test
  void aDateTimeOutsideTheDataIsNamedWholeWhenSplitAtColons() {
    String m = message("0:60", "2016-02-20 22:51:30:2016-02-20 23:59:00", STAMPS, 91);
    assertTrue(
        m.contains("'2016-02-20 23:59:00' is after the data's last date, 2016-02-20 22:56:20"), m);
  }

  @Test
  void postBeforePreAndOverlap() {
    String m = message("70:99", "0:69", null, 100);
    assertTrue(m.contains("--post is before --pre; swap them"), m);
    m = message("0:69", "60:99", null, 100);
    assertTrue(m.contains("the periods overlap"), m);
    m = message("0:69", "80:70", null, 100);
    assertTrue(m.contains("starts at row 80, after its end row 70"), m);
  }

  @Test
  void gapBetweenPeriods() {
    String m = message("0:59", "70:99", DAYS, 100);
    assertTrue(m.contains("rows 60–69 lie between the pre-period"), m);
    assertTrue(m.contains("the periods must be contiguous"), m);
    assertTrue(m.contains("end --pre at row 69 (2014-03-11)"), m);
  }

  @Test
  void preTooShort() {
    String m = message("0:1", "2:99", null, 100);
    assertTrue(m.contains("the pre-period has 2 rows (rows 0–1): at least 3 are needed"), m);
  }

  @Test
  void datesNeedTimeLabels() {
    String m = message("2014-01-01:2014-03-11", "70:99", null, 100);
    assertTrue(m.contains("name the time column with --time-column"), m);
  }
}
