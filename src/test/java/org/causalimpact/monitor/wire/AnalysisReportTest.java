package org.causalimpact.monitor.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.causalimpact.monitor.impact.Estimate;
import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.impact.Interval;
import org.causalimpact.monitor.impact.OutcomeImpact;
import org.causalimpact.monitor.impact.StepImpact;
import org.causalimpact.monitor.testing.Fixtures;
import org.junit.jupiter.api.Test;

class AnalysisReportTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode render(ImpactAnalysis a) throws Exception {
    return JSON.readTree(AnalysisReport.render(a, Fixtures.table()));
  }

  @Test
  void topLevelFieldsInOrder() throws Exception {
    JsonNode root = render(Fixtures.analysis(10.4, true, false));
    List<String> names = new ArrayList<>();
    root.fieldNames().forEachRemaining(names::add);
    assertEquals(
        List.of(
            "schema", "monitor", "intervention", "level", "prePeriod", "postPeriod", "outcome",
            "summary", "series", "outcomes", "model", "notes"),
        names);
    assertEquals(1, root.get("schema").asInt());
    assertEquals(0.95, root.get("level").asDouble());
    assertEquals("y", root.get("outcome").asText());
    assertEquals(69, root.at("/prePeriod/end").asInt());
    assertEquals("2014-03-11", root.at("/prePeriod/endLabel").asText());
    assertEquals(70, root.at("/postPeriod/start").asInt());
    assertEquals(99, root.at("/postPeriod/end").asInt());
    assertEquals("2014-04-10", root.at("/postPeriod/endLabel").asText());
  }

  @Test
  void summaryHasEveryRequiredField() throws Exception {
    JsonNode s = render(Fixtures.analysis(10.4, true, false)).get("summary");
    for (String period : List.of("average", "cumulative")) {
      JsonNode p = s.get(period);
      for (String path :
          List.of(
              "/actual", "/predicted/mean", "/predicted/sd", "/predicted/conformal",
              "/predicted/bootstrap", "/effect/mean", "/effect/sd", "/effect/conformal",
              "/effect/bootstrap", "/relative/mean", "/relative/conformal",
              "/relative/bootstrap")) {
        assertFalse(p.at(path).isMissingNode(), period + path);
      }
      assertEquals(2, p.at("/effect/conformal").size());
      assertFalse(p.has("expectedEffect"), "no expected effect in CausalImpact mode");
    }
    assertEquals(0.001, s.at("/pValue/bootstrap").asDouble());
    assertEquals(0.01, s.at("/pValue/conformal").asDouble());
    assertTrue(s.at("/significant/bootstrap").asBoolean());
    assertTrue(s.at("/significant/conformal").asBoolean());
    assertEquals(10.4, s.at("/average/effect/mean").asDouble(), 1e-12);
  }

  @Test
  void unboundedBoundsAreNull() throws Exception {
    JsonNode root = render(Fixtures.analysis(10.4, false, false));
    JsonNode c = root.at("/summary/average/effect/conformal");
    assertTrue(c.isArray());
    assertTrue(c.get(0).isNull());
    assertTrue(c.get(1).isNull());
    assertTrue(root.at("/summary/pValue/conformal").isNull());
    assertTrue(root.at("/series/0/cumulative/conformal/0").isNull());
    assertFalse(root.at("/series/0/cumulative/bootstrap/0").isNull());
    assertFalse(root.at("/summary/significant/conformal").asBoolean());
    assertEquals(
        "conformal intervals are unbounded: short pre-period", root.at("/notes/0").asText());
  }

  @Test
  void seriesStepsAndOutcomes() throws Exception {
    JsonNode root = render(Fixtures.analysis(10.4, true, true));
    JsonNode series = root.get("series");
    assertEquals(30, series.size());
    JsonNode first = series.get(0);
    assertEquals(70, first.get("row").asInt());
    assertEquals("2014-03-12", first.get("time").asText());
    assertEquals(1, first.get("step").asInt());
    for (String f :
        List.of(
            "actual", "counterfactual", "expected", "effect", "expectedEffect", "cumulative",
            "relative")) {
      assertTrue(first.has(f), f);
    }
    assertFalse(first.at("/expected").has("conformal"), "expected has no conformal route");
    assertEquals(1, root.get("outcomes").size());
    assertEquals("y", root.at("/outcomes/0/node").asText());
    assertEquals(root.get("summary"), root.at("/outcomes/0/summary"));
    assertEquals(12.0, root.at("/summary/average/expectedEffect/mean").asDouble());
    assertEquals(2, root.at("/model/equations").size());
    assertEquals("x1[t]", root.at("/model/equations/1/terms/1").asText());
    assertEquals(1.2, root.at("/model/effects/0/total").asDouble());
  }

  @Test
  void nanIsNull() throws Exception {
    ImpactAnalysis a = Fixtures.analysis(10.4, true, false);
    OutcomeImpact o = a.outcomes().get(0);
    StepImpact s = o.series().get(0);
    StepImpact zero =
        new StepImpact(
            s.row(), s.label(), s.step(), s.actual(), new Estimate(0, null, Interval.of(-1, 1)),
            null, s.effect(), null, s.cumulative(), Double.NaN);
    List<StepImpact> steps = new ArrayList<>(o.series());
    steps.set(0, zero);
    ImpactAnalysis b =
        new ImpactAnalysis(
            a.monitor(), a.intervention(), a.level(), a.preStart(), a.postStart(), a.postEnd(),
            List.of(new OutcomeImpact("y", steps, o.summary())), a.equations(), a.effects(),
            a.notes(), a.preFits(), a.placebos());
    JsonNode root = render(b);
    assertTrue(root.at("/series/0/relative").isNull());
    assertFalse(root.at("/series/0/counterfactual").has("conformal"));
  }
}
