package org.causalimpact.monitor.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.causalimpact.monitor.impact.Estimate;
import org.causalimpact.monitor.impact.Interval;
import org.causalimpact.monitor.impact.StepImpact;
import org.causalimpact.monitor.impact.StreamingAnalysis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The cap on interventions with impact meters, and that what it refuses is remembered within a
 * bound: 10,000 refused interventions leave at most the cap behind, and none once they ended.
 */
class ImpactMetersTest {
  private static final int REFUSED = 10_000;
  private static final Estimate ESTIMATE =
      new Estimate(1.0, new Interval(0.5, 1.5), new Interval(0.4, 1.6));
  private static final StreamingAnalysis.OutcomeStep STEP =
      new StreamingAnalysis.OutcomeStep(
          "y",
          new StepImpact(10, "10", 1, 2.0, ESTIMATE, ESTIMATE, ESTIMATE, ESTIMATE, ESTIMATE, 1.0),
          0.04,
          null,
          null);

  private final AtomicLong now = new AtomicLong();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Logger logger = (Logger) LoggerFactory.getLogger(ImpactMeters.class);
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();

  @BeforeEach
  void listen() {
    log.start();
    logger.addAppender(log);
  }

  @AfterEach
  void stopListening() {
    logger.detachAppender(log);
    registry.close();
  }

  private ImpactMeters meters(int cap) {
    ImpactMeters m = new ImpactMeters(Duration.ofHours(1), cap, now::get);
    m.bindTo(registry);
    return m;
  }

  private long metersOf(String intervention) {
    return registry.getMeters().stream()
        .map(Meter::getId)
        .filter(id -> intervention.equals(id.getTag("intervention")))
        .count();
  }

  @Test
  void refusedInterventionsAreForgottenAtTheirEnd() {
    ImpactMeters m = meters(2);
    m.impact("m", "a", STEP);
    m.impact("m", "b", STEP);
    int most = 0;
    for (int i = 0; i < REFUSED; i++) {
      m.impact("m", "r" + i, STEP);
      m.impact("m", "r" + i, STEP);
      most = Math.max(most, m.refusedRemembered());
      m.interventionEnded("m", "r" + i);
    }
    assertEquals(1, most, "one refused intervention runs at a time");
    assertEquals(0, m.refusedRemembered(), "all of them ended");
    assertEquals(0, metersOf("r0") + metersOf("r" + (REFUSED - 1)), "refused: no meters");
    assertTrue(metersOf("a") > 0 && metersOf("b") > 0, "the admitted keep theirs");
    assertEquals(REFUSED, log.list.size(), "each refusal logged once");
  }

  @Test
  void atMostTheCapIsRememberedAndEachRefusalIsLoggedOnce() {
    ImpactMeters m = meters(3);
    for (String admitted : List.of("a", "b", "c")) {
      m.impact("m", admitted, STEP);
    }
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < REFUSED; i++) {
        m.impact("m", "r" + i, STEP);
      }
    }
    assertEquals(3, m.refusedRemembered(), "never more than the cap, however many are refused");
    assertEquals(3, log.list.size(), () -> messages().toString());
    assertTrue(messages().get(0).startsWith("intervention m/r0 gets no impact meters: 3"),
        messages().get(0));
    assertFalse(messages().get(1).contains("not logged one by one"), messages().get(1));
    assertTrue(messages().get(2).endsWith("further refusals are not logged one by one"),
        messages().get(2));

    m.interventionEnded("m", "r1");
    assertEquals(2, m.refusedRemembered(), "an ended one is forgotten");
    m.impact("m", "r5000", STEP);
    assertEquals(3, m.refusedRemembered());
    assertEquals(4, log.list.size(), "r5000, refused while the memory was full, is logged now");

    // a place under the cap frees: the refused r2 gets it and is no longer remembered as refused
    m.interventionEnded("m", "a");
    now.addAndGet(Duration.ofHours(2).toNanos());
    m.expire();
    m.impact("m", "r2", STEP);
    assertTrue(metersOf("r2") > 0 && metersOf("a") == 0, "r2 took a's place");
    assertEquals(2, m.refusedRemembered(), "r0 and r5000");
    assertEquals(4, log.list.size());
  }

  private List<String> messages() {
    return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }
}
