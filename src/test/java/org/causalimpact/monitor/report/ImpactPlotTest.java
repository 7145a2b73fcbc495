package org.causalimpact.monitor.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.testing.Fixtures;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.annotations.XYTitleAnnotation;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImpactPlotTest {
  @TempDir Path dir;

  @Test
  void writesAReadablePngOfTheRequestedSize() throws Exception {
    Path png = dir.resolve("nested/plots/impact.png");
    ImpactPlot.write(Fixtures.analysis(10.4, true, true), Fixtures.table(), "y", png, 800, 600);
    assertTrue(Files.size(png) > 1000, "PNG is suspiciously small");
    BufferedImage img = ImageIO.read(png.toFile());
    assertNotNull(img, "ImageIO cannot read the PNG");
    assertEquals(800, img.getWidth());
    assertEquals(600, img.getHeight());
  }

  @Test
  void unboundedConformalAndIndexAxis() throws Exception {
    TimeSeriesTable t = Fixtures.table();
    TimeSeriesTable unlabelled = new TimeSeriesTable(t.columns(), new double[][] {
        t.column("y"), t.column("x1")}, null);
    Path png = dir.resolve("index.png");
    ImpactPlot.write(Fixtures.analysis(10.4, false, false), unlabelled, "y", png, 640, 480);
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(640, img.getWidth());
  }

  /** The legend items of each of the chart's three panels, top to bottom. */
  private static List<List<String>> panelLegends(JFreeChart chart) {
    List<List<String>> out = new ArrayList<>();
    for (XYPlot p : ((CombinedDomainXYPlot) chart.getPlot()).getSubplots()) {
      List<String> labels = new ArrayList<>();
      LegendItemCollection items = p.getLegendItems();
      for (int i = 0; i < items.getItemCount(); i++) {
        labels.add(items.get(i).getLabel());
      }
      assertTrue(
          p.getAnnotations().stream().anyMatch(XYTitleAnnotation.class::isInstance),
          "the panel carries its own legend");
      out.add(labels);
    }
    return out;
  }

  @Test
  void eachPanelsLegendNamesItsOwnSeries() {
    ImpactAnalysis a = Fixtures.analysis(10.4, true, false);
    JFreeChart chart = ImpactPlot.chart(a, Fixtures.table(), a.outcomes().get(0));
    assertNull(chart.getLegend(), "no chart-wide legend that calls every band 'counterfactual'");
    assertEquals(
        List.of(
            List.of("counterfactual (bootstrap band)", "conformal interval", "actual"),
            List.of("pointwise effect (bootstrap band)", "conformal interval"),
            List.of("cumulative effect (bootstrap band)", "conformal interval")),
        panelLegends(chart).stream().map(l -> l.stream().sorted(ImpactPlotTest::byOrder).toList())
            .toList());
  }

  private static int byOrder(String x, String y) {
    return Integer.compare(order(x), order(y));
  }

  private static int order(String label) {
    return label.contains("bootstrap") ? 0 : label.startsWith("conformal") ? 1 : 2;
  }

  @Test
  void anUnboundedConformalIntervalIsNamedWithItsStepsInTheLegend() {
    ImpactAnalysis a = Fixtures.analysis(10.4, false, false);
    JFreeChart chart = ImpactPlot.chart(a, Fixtures.table(), a.outcomes().get(0));
    String expected =
        "conformal interval (unbounded, so not drawn, at steps 1–30: too few calibration scores;"
            + " see the notes)";
    for (List<String> legend : panelLegends(chart)) {
      assertTrue(legend.contains(expected), legend.toString());
    }
    assertEquals("conformal interval", ImpactPlot.conformalLabel(List.of()));
    assertEquals(
        "conformal interval (unbounded, so not drawn, at steps 1, 19–20, 25: too few calibration"
            + " scores; see the notes)",
        ImpactPlot.conformalLabel(List.of(1, 19, 20, 25)));
    assertEquals(
        "conformal interval (unbounded, so not drawn, at step 19: too few calibration scores; see"
            + " the notes)",
        ImpactPlot.conformalLabel(List.of(19)));
  }

  @Test
  void theTitleNamesTheInterventionOnlyWhereItSetsANode() {
    ImpactAnalysis ci = Fixtures.analysis(10.4, true, false);
    assertEquals(
        "Causal impact on y in the post-period",
        ImpactPlot.chart(ci, Fixtures.table(), ci.outcomes().get(0)).getTitle().getText());
    ImpactAnalysis graph = Fixtures.analysis(10.4, true, true);
    assertEquals(
        "Causal impact of post-period on y",
        ImpactPlot.chart(graph, Fixtures.table(), graph.outcomes().get(0)).getTitle().getText());
  }

  @Test
  void unwritablePathIsBadInput() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    InputException e =
        assertThrows(
            InputException.class,
            () ->
                ImpactPlot.write(
                    Fixtures.analysis(10.4, true, false), Fixtures.table(), "y",
                    file.resolve("plot.png"), 800, 600));
    assertTrue(e.getMessage().contains("cannot write the plot"), e.getMessage());
  }

  @Test
  void unknownOutcomeIsBadInput() {
    InputException e =
        assertThrows(
            InputException.class,
            () ->
                ImpactPlot.write(
                    Fixtures.analysis(10.4, true, false), Fixtures.table(), "revenue",
                    dir.resolve("p.png"), 800, 600));
    assertTrue(e.getMessage().contains("outcomes: y"), e.getMessage());
  }
}
