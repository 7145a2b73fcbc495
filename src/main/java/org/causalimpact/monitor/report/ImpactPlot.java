package org.causalimpact.monitor.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Paint;
import java.awt.Stroke;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.impact.Estimate;
import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.impact.Interval;
import org.causalimpact.monitor.impact.OutcomeImpact;
import org.causalimpact.monitor.impact.StepImpact;
import org.causalimpact.monitor.io.TimeLabels;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.annotations.XYTitleAnnotation;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.DateAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * The three classic CausalImpact panels as a PNG, drawn with JFreeChart: (1) the observed series
 * over the pre- and post-period, against the model's in-sample one-step-ahead predictions over the
 * pre-period ({@link org.causalimpact.monitor.impact.PrePeriodFit}, dotted) and the counterfactual
 * over the post-period with its bootstrap band (filled) and conformal interval (dashed, drawn only
 * where bounded); (2) the pointwise effect; (3) the
 * cumulative effect; all sharing the time axis, with a vertical marker where the intervention
 * starts. Each panel carries its own legend, whose conformal entry names the steps where that
 * interval is unbounded and so not drawn. The x axis is a date axis when every row label is a
 * date/time, else the row index.
 *
 * <p>Needs a headless AWT ({@code java.awt.headless=true}) on machines without a display.
 * Thread-safe; no state.
 */
public final class ImpactPlot {
  private static final Color ACTUAL = Color.BLACK;
  private static final Color MODEL = new Color(0x1f, 0x5f, 0xbf);
  private static final Color BAND = new Color(0x7f, 0xaf, 0xef);
  private static final Color CONFORMAL = new Color(0xd0, 0x60, 0x20);
  /** The model's one-step predictions over the pre-period. */
  static final Color PRE_FIT = new Color(0x1a, 0x9a, 0x3a);

  static final String PRE_FIT_LABEL = "fitted, pre-period (one-step-ahead, in sample)";
  private static final Color LEGEND_BACKGROUND = new Color(255, 255, 255, 200);
  private static final Stroke SOLID = new BasicStroke(1.4f);
  private static final Stroke DASHED =
      new BasicStroke(
          1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);
  private static final Stroke DOTTED =
      new BasicStroke(
          1.4f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {2f, 2f}, 0f);

  private ImpactPlot() {}

  /**
   * Writes the plot of one outcome.
   *
   * @param table the analysed table (the observed series of the pre-period comes from it)
   * @param outcome the outcome node to draw
   * @param png the file to write; parent directories are created
   * @throws InputException when the outcome is unknown, the size is not positive, or the file
   *     cannot be written
   */
  public static void write(
      ImpactAnalysis a, TimeSeriesTable table, String outcome, Path png, int width, int height) {
    if (width < 100 || height < 100 || width > 20_000 || height > 20_000) {
      throw new InputException(
          "plot size " + width + "x" + height + " is not usable: give 100..20000 pixels per side");
    }
    OutcomeImpact o =
        a.outcomes().stream()
            .filter(x -> x.node().equals(outcome))
            .findFirst()
            .orElseThrow(
                () ->
                    new InputException(
                        "cannot plot '"
                            + outcome
                            + "': it is not an outcome of this analysis (outcomes: "
                            + String.join(
                                ", ", a.outcomes().stream().map(OutcomeImpact::node).toList())
                            + ")"));
    JFreeChart chart = chart(a, table, o);
    try {
      Path parent = png.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      ChartUtils.saveChartAsPNG(png.toFile(), chart, width, height);
    } catch (IOException e) {
      throw new InputException("cannot write the plot to " + png + ": " + e, e);
    }
  }

  /** The chart of one outcome, for callers that render it elsewhere. */
  public static JFreeChart chart(ImpactAnalysis a, TimeSeriesTable table, OutcomeImpact o) {
    Optional<List<Instant>> times =
        table == null ? Optional.empty() : TimeLabels.parseAll(table.labels());
    Function<Integer, Double> x =
        times.isPresent()
            ? row -> (double) times.get().get(row).toEpochMilli()
            : row -> (double) row;
    ValueAxis domain;
    if (times.isPresent()) {
      domain = new DateAxis("time");
    } else {
      NumberAxis n = new NumberAxis("row");
      n.setAutoRangeIncludesZero(false);
      domain = n;
    }
    CombinedDomainXYPlot combined = new CombinedDomainXYPlot(domain);
    combined.setGap(8);

    XYSeriesCollection observed = new XYSeriesCollection();
    observed.addSeries(actual(a, table, o, x));
    XYSeries fitted = new XYSeries(PRE_FIT_LABEL, false);
    a.preFit(o.node()).ifPresent(f -> {
      for (int i = 0; i < f.rows(); i++) {
        double v = f.fitted(i);
        fitted.add(x.apply(f.startRow() + i), Double.isNaN(v) ? null : Double.valueOf(v));
      }
    });
    if (fitted.getItemCount() > 0) {
      observed.addSeries(fitted);
    }
    XYPlot original =
        panel(o.node(), o, x, StepImpact::counterfactual, "counterfactual", observed, false);
    XYPlot pointwise =
        panel("pointwise effect", o, x, StepImpact::effect, "pointwise effect", null, true);
    XYPlot cumulative =
        panel("cumulative effect", o, x, StepImpact::cumulative, "cumulative effect", null, true);
    double start = markerPosition(a, x, table);
    for (XYPlot p : List.of(original, pointwise, cumulative)) {
      ValueMarker m = new ValueMarker(start, Color.GRAY, DASHED);
      p.addDomainMarker(m);
      // each panel names its own series: one legend for all would call the effect bands
      // "counterfactual"
      LegendTitle legend = new LegendTitle(p);
      legend.setBackgroundPaint(LEGEND_BACKGROUND);
      p.addAnnotation(new XYTitleAnnotation(0.005, 0.995, legend, RectangleAnchor.TOP_LEFT));
      combined.add(p, 1);
    }
    JFreeChart chart =
        new JFreeChart(
            SummaryTable.setsNoNode(a)
                ? "Causal impact on " + o.node() + " in the post-period"
                : "Causal impact of " + a.intervention() + " on " + o.node(),
            JFreeChart.DEFAULT_TITLE_FONT,
            combined,
            false);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  /** The observed series over the pre- and post-period: from the table, else from the analysis. */
  private static XYSeries actual(
      ImpactAnalysis a, TimeSeriesTable table, OutcomeImpact o, Function<Integer, Double> x) {
    XYSeries actual = new XYSeries("actual", false);
    if (table != null && table.hasColumn(o.node())) {
      int last = Math.min(a.postEnd(), table.rows());
      for (int t = Math.max(0, a.preStart()); t < last; t++) {
        actual.add(x.apply(t), Double.valueOf(table.value(o.node(), t)));
      }
      return actual;
    }
    a.preFit(o.node()).ifPresent(f -> {
      for (int i = 0; i < f.rows(); i++) {
        actual.add(x.apply(f.startRow() + i), Double.valueOf(f.actual(i)));
      }
    });
    for (StepImpact s : o.series()) {
      actual.add(x.apply(s.row()), Double.valueOf(s.actual()));
    }
    return actual;
  }

  /**
   * The legend label of a panel's conformal interval: where it is missing, which steps and why, as
   * the analysis notes say (too few calibration scores at those horizons).
   */
  static String conformalLabel(List<Integer> unboundedSteps) {
    if (unboundedSteps.isEmpty()) {
      return "conformal interval";
    }
    StringBuilder ranges = new StringBuilder();
    for (int i = 0; i < unboundedSteps.size(); i++) {
      int from = unboundedSteps.get(i);
      int to = from;
      while (i + 1 < unboundedSteps.size() && unboundedSteps.get(i + 1) == to + 1) {
        to = unboundedSteps.get(++i);
      }
      ranges.append(ranges.length() == 0 ? "" : ", ").append(from);
      if (to > from) {
        ranges.append('–').append(to);
      }
    }
    return "conformal interval (unbounded, so not drawn, at step"
        + (unboundedSteps.size() == 1 ? " " : "s ")
        + ranges
        + ": too few calibration scores; see the notes)";
  }

  /** Half-way between the last pre-period row and the first post-period row. */
  private static double markerPosition(
      ImpactAnalysis a, Function<Integer, Double> x, TimeSeriesTable table) {
    int s = a.postStart();
    boolean inTable = table == null || s < table.rows();
    if (s > 0 && inTable) {
      return (x.apply(s - 1) + x.apply(s)) / 2;
    }
    return inTable ? x.apply(s) : s;
  }

  private static XYPlot panel(
      String label,
      OutcomeImpact o,
      Function<Integer, Double> x,
      Function<StepImpact, Estimate> pick,
      String name,
      XYSeriesCollection observed,
      boolean zeroLine) {
    YIntervalSeries band = new YIntervalSeries(name + " (bootstrap band)");
    XYSeries lower = new XYSeries("conformal lower", false);
    XYSeries upper = new XYSeries("conformal upper", false);
    List<Integer> unbounded = new ArrayList<>();
    for (StepImpact s : o.series()) {
      Estimate e = pick.apply(s);
      double at = x.apply(s.row());
      Interval b = e.bootstrap();
      if (b != null && b.isBounded()) {
        band.add(at, e.mean(), b.lower(), b.upper());
      } else {
        band.add(at, e.mean(), e.mean(), e.mean());
      }
      Interval c = e.conformal();
      lower.add(at, c == null ? null : c.lower());
      upper.add(at, c == null ? null : c.upper());
      if (c == null || !c.isBounded()) {
        unbounded.add(s.step());
      }
    }
    lower.setKey(conformalLabel(unbounded));
    NumberAxis range = new NumberAxis(label);
    range.setAutoRangeIncludesZero(zeroLine);
    XYPlot plot = new XYPlot();
    plot.setRangeAxis(range);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xdd, 0xdd, 0xdd));
    plot.setRangeGridlinePaint(new Color(0xdd, 0xdd, 0xdd));
    plot.setDatasetRenderingOrder(DatasetRenderingOrder.REVERSE);

    int index = 0;
    if (observed != null) {
      plot.setDataset(index, observed);
      plot.setRenderer(index, lines(new Paint[] {ACTUAL, PRE_FIT}, new Stroke[] {SOLID, DOTTED}));
      index++;
    }
    XYSeriesCollection conformal = new XYSeriesCollection();
    conformal.addSeries(lower);
    conformal.addSeries(upper);
    XYLineAndShapeRenderer conformalRenderer =
        lines(new Paint[] {CONFORMAL, CONFORMAL}, new Stroke[] {DASHED, DASHED});
    conformalRenderer.setSeriesVisibleInLegend(1, false);
    plot.setDataset(index, conformal);
    plot.setRenderer(index, conformalRenderer);
    index++;

    DeviationRenderer bandRenderer = new DeviationRenderer(true, false);
    bandRenderer.setSeriesPaint(0, MODEL);
    bandRenderer.setSeriesFillPaint(0, BAND);
    bandRenderer.setSeriesStroke(0, DASHED);
    bandRenderer.setAlpha(0.35f);
    YIntervalSeriesCollection bandData = new YIntervalSeriesCollection();
    bandData.addSeries(band);
    plot.setDataset(index, bandData);
    plot.setRenderer(index, bandRenderer);
    if (zeroLine) {
      plot.addRangeMarker(new ValueMarker(0, Color.DARK_GRAY, new BasicStroke(0.8f)));
    }
    return plot;
  }

  private static XYLineAndShapeRenderer lines(Paint[] paints, Stroke[] strokes) {
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
    for (int i = 0; i < paints.length; i++) {
      r.setSeriesPaint(i, paints[i]);
      r.setSeriesStroke(i, strokes[i]);
    }
    return r;
  }
}
