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
import java.awt.geom.Rectangle2D;
import org.causalimpact.monitor.impact.PrePeriodFit;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.ui.Layer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
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

  /** The first panel's dataset holding the pre-period fit. */
  private static XYSeries preFitSeries(JFreeChart chart) {
    XYPlot top = ((CombinedDomainXYPlot) chart.getPlot()).getSubplots().get(0);
    for (int d = 0; d < top.getDatasetCount(); d++) {
      if (top.getDataset(d) instanceof XYSeriesCollection c) {
        for (Object s : c.getSeries()) {
          if (((XYSeries) s).getKey().equals(ImpactPlot.PRE_FIT_LABEL)) {
            return (XYSeries) s;
          }
        }
      }
    }
    return null;
  }

  @Test
  void thePrePeriodShowsTheModelsOneStepPredictionsBesideTheActualSeries() {
    ImpactAnalysis a = Fixtures.withPreFit(Fixtures.analysis(10.4, true, false));
    JFreeChart chart = ImpactPlot.chart(a, null, a.outcomes().get(0));
    XYSeries fitted = preFitSeries(chart);
    assertNotNull(fitted, "the top panel has the pre-period fit");
    PrePeriodFit f = a.preFit("y").orElseThrow();
    assertEquals(f.rows(), fitted.getItemCount());
    assertNull(fitted.getY(0), "row 0 has no prediction, so none is drawn");
    for (int i = 1; i < f.rows(); i++) {
      assertEquals(f.startRow() + i, fitted.getX(i).intValue());
      assertEquals(f.fitted(i), fitted.getY(i).doubleValue());
    }
    assertTrue(
        panelLegends(chart).get(0).contains("fitted, pre-period (one-step-ahead, in sample)"));
    // without the table, the actual series still covers the pre-period, from the fit
    XYPlot top = ((CombinedDomainXYPlot) chart.getPlot()).getSubplots().get(0);
    XYSeries actual = ((XYSeriesCollection) top.getDataset(0)).getSeries("actual");
    assertEquals(Fixtures.POST_END - Fixtures.PRE_START, actual.getItemCount());
    assertNull(preFitSeries(ImpactPlot.chart(
        Fixtures.analysis(10.4, true, false), null,
        Fixtures.analysis(10.4, true, false).outcomes().get(0))), "no fit, no series");
  }

  /**
   * In the PNG, left of the start line in the top panel, there are pixels of the actual series'
   * colour and of the fit's: the pre-period is drawn.
   */
  @Test
  void thePngShowsThePrePeriodLeftOfTheStartLine() {
    ImpactAnalysis a = Fixtures.withPreFit(Fixtures.analysis(10.4, true, false));
    JFreeChart chart = ImpactPlot.chart(a, Fixtures.table(), a.outcomes().get(0));
    ChartRenderingInfo info = new ChartRenderingInfo();
    BufferedImage img = chart.createBufferedImage(1000, 900, info);
    Rectangle2D area = info.getPlotInfo().getSubplotInfo(0).getDataArea();
    XYPlot top = ((CombinedDomainXYPlot) chart.getPlot()).getSubplots().get(0);
    double start =
        ((ValueMarker) top.getDomainMarkers(Layer.FOREGROUND).iterator().next()).getValue();
    int startX =
        (int) chart.getXYPlot().getDomainAxis().valueToJava2D(start, area, top.getDomainAxisEdge());
    int actual = 0;
    int fitted = 0;
    // below the legend (the top fifth of the panel) and left of the start line
    for (int px = (int) area.getMinX() + 2; px < startX - 2; px++) {
      for (int py = (int) (area.getMinY() + area.getHeight() / 5); py < area.getMaxY(); py++) {
        int rgb = img.getRGB(px, py) & 0xffffff;
        actual += rgb == 0 ? 1 : 0;
        fitted += greenish(rgb) ? 1 : 0;
      }
    }
    assertTrue(actual > 50, actual + " black pixels before the start");
    assertTrue(fitted > 50, fitted + " pixels of the fit's colour before the start");
  }

  /**
   * A pixel of the fit's green, or green blended into the white background by anti-aliasing: no
   * other series of the panel is green.
   */
  private static boolean greenish(int rgb) {
    int r = (rgb >> 16) & 0xff;
    int g = (rgb >> 8) & 0xff;
    int b = rgb & 0xff;
    return g > r + 40 && g > b + 40;
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
