package org.causalimpact.monitor.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * Which package may import which (DESIGN.md, "Packages by capability"; the README's Development
 * section gives the layout and its reasons). Main classes only: tests may reach anywhere.
 */
class ArchitectureTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("org.causalimpact.monitor");

  private static final String[] ENGINE = {
    "org.causalimpact.monitor.graph..",
    "org.causalimpact.monitor.scm..",
    "org.causalimpact.monitor.uncertainty..",
    "org.causalimpact.monitor.impact.."
  };

  /**
   * The same engine serves the stream and the batch {@code analyze}, so that a CSV replay and the
   * live stream give the same numbers: it knows nothing of how records arrive or leave.
   */
  @Test
  void engineKnowsNoKafkaMicrometerOrJackson() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAnyPackage(ENGINE)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.apache.kafka..", "io.micrometer..", "com.fasterxml.jackson..");
    rule.check(MAIN);
  }

  /** The topology and its runner are the only code that knows Kafka Streams. */
  @Test
  void onlyLiveAndAppKnowKafkaStreams() {
    ArchRule rule =
        noClasses()
            .that()
            .resideOutsideOfPackages(
                "org.causalimpact.monitor.live..", "org.causalimpact.monitor.app..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("org.apache.kafka.streams..");
    rule.check(MAIN);
  }

  /** The demo (embedded broker, simulator) is started by its command and by nothing else. */
  @Test
  void onlyTheCliStartsTheDemo() {
    ArchRule rule =
        noClasses()
            .that()
            .resideOutsideOfPackages(
                "org.causalimpact.monitor.demo..", "org.causalimpact.monitor.cli..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("org.causalimpact.monitor.demo..");
    rule.check(MAIN);
  }

  /** The HTTP layer asks services; fitting and forecasting stay behind them. */
  @Test
  void httpFitsNoModels() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage("org.causalimpact.monitor.http..")
            .should()
            .dependOnClassesThat()
            .haveFullyQualifiedName("org.causalimpact.monitor.scm.ScmFitter")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("org.causalimpact.monitor.scm.Explanations")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("org.causalimpact.monitor.impact.WhatIf")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("org.causalimpact.monitor.impact.ImpactAnalyzer");
    rule.check(MAIN);
  }

  /** Text and charts for the command line only: records on the wire are written by wire. */
  @Test
  void reportWritesNoJson() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage("org.causalimpact.monitor.report..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("com.fasterxml.jackson..", "org.apache.kafka..");
    rule.check(MAIN);
  }

  /** Packages form layers: none depends on itself through others. */
  @Test
  void noPackageCycles() {
    ArchRule rule =
        slices().matching("org.causalimpact.monitor.(*)..").should().beFreeOfCycles();
    rule.check(MAIN);
  }
}
