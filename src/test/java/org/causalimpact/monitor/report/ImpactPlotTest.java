package org.causalimpact.monitor.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.testing.Fixtures;
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
